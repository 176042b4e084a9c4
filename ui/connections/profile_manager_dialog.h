#pragma once

// ProfileManagerDialog: add, edit, duplicate and delete connection profiles.
// The form names every field a profile has; a profile that cannot be used
// says which field is wrong before it is saved. Tokens typed here go to the
// OS keychain (TokenStore), never into the profile or the settings file.
// Renaming a profile moves its keychain entries to the new name. The
// profile's other sources (Prometheus history, OTLP mapping) have tabs of
// their own (source_sections.h). Export writes
// the selected profiles to a JSON file (client/profile_file.h: no token, no
// key); Import reads one, refuses what is wrong in a sentence per profile and
// never overwrites a profile (a clash is added as "NAME (imported)").

#include "client/profile_file.h"
#include "ui/connections/profile.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace sb {

class TokenStore;
class ConnectionTester;
class ProfileTransfer;
class PrometheusSection;
class OtlpSection;

class ProfileManagerDialog : public QDialog
{
    Q_OBJECT
public:
    ProfileManagerDialog(std::vector<ConnectionProfile> profiles, const QString &select,
                         QWidget *parent);

    const std::vector<ConnectionProfile> &profiles() const { return m_profiles; }
    // Applies the form to the selected profile; false (and says why) if invalid.
    bool apply();
    QString error() const;
    TokenStore *tokens() const { return m_tokens; }
    // The profiles called `names` to `path` / the profiles in `path` added;
    // both off the GUI thread, ending in transferFinished.
    void exportProfiles(const QString &path, const QStringList &names);
    void importProfiles(const QString &path);
    // Export's choice: the profiles selected in the list, else the current one.
    QStringList selectedNames() const;

signals:
    void profilesSaved(const std::vector<sb::ConnectionProfile> &profiles);
    void connectRequested(const QString &profile, bool beside);
    // What an import or export did, as the status line says it.
    void transferFinished(const QString &sentence, bool ok);

private:
    // profile_manager_form.cpp: the Service tab's form.
    void buildForm(QWidget *form);
    void select(int row);
    void load(const ConnectionProfile &p);
    ConnectionProfile fromForm() const;
    void refreshList();
    void updateEnabled();
    void addProfile(const ConnectionProfile &p);
    void save();
    void setStatus(const QString &text, bool bad);
    void browse(QLineEdit *edit, const QString &title);
    void imported(const profile_file::ReadResult &r);

    std::vector<ConnectionProfile> m_profiles;
    int m_row = -1;
    bool m_loading = false;
    TokenStore *m_tokens;
    QListWidget *m_list;
    QLineEdit *m_name;
    QLineEdit *m_endpoint;
    QComboBox *m_environment;
    QCheckBox *m_tls;
    QComboBox *m_caMode;
    QLineEdit *m_caFile;
    QLineEdit *m_certFile;
    QLineEdit *m_keyFile;
    QComboBox *m_tokenSource;
    QLineEdit *m_tokenVariable;
    QLineEdit *m_token;
    QPushButton *m_forgetToken;
    QTableWidget *m_headers;
    QLabel *m_status;
    QPushButton *m_save;
    QPushButton *m_delete;
    QPushButton *m_connect;
    QPushButton *m_openBeside;
    QPushButton *m_test;
    ConnectionTester *m_tester;
    ProfileTransfer *m_transfer;
    PrometheusSection *m_prometheus;
    OtlpSection *m_otlp;
    QList<QWidget *> m_tlsWidgets;
};

} // namespace sb
