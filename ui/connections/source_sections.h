#pragma once

// The profile manager's tabs for a profile's other sources: "Prometheus
// history" (URL, metric and unit, the labels that name route, model and
// variant, bearer or basic auth with the secret typed into the keychain,
// saying whether one is stored already, a custom CA, and a Test button
// that says in a sentence what Prometheus answered) and "OpenTelemetry" (the OTLP attributes that
// name route, model and variant). The console applies them with --profile; its flags win.

#include "client/connection_profile.h"

#include <QWidget>
#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;

namespace sb {

class PrometheusTester;
class TokenStore;

class PrometheusSection : public QWidget
{
    Q_OBJECT
public:
    explicit PrometheusSection(QWidget *parent = nullptr);

    void load(const ConnectionProfile &p);
    void store(ConnectionProfile *p) const;
    // The form's profile as it is now (saved or not), for the Test button.
    void setFormProfile(std::function<ConnectionProfile()> formProfile);
    // The secret typed and not saved yet (empty: none typed).
    QString typedSecret() const;
    // Puts a typed secret in the keychain under `now`'s entry, moves or
    // drops the entry of a renamed or deleted profile (now: nullptr).
    void applySecret(TokenStore *tokens, const ConnectionProfile &old,
                     const ConnectionProfile *now);
    PrometheusTester *tester() const { return m_tester; }

signals:
    void edited();

private:
    // Whether the keychain keeps a secret for the loaded profile.
    enum class Kept
    {
        Unknown,
        Checking,
        Yes,
        No,
        Unreadable,
    };
    void updateEnabled();
    void runTest();
    void checkKept();
    void showKept(Kept kept, const QString &error = {});

    QLineEdit *m_url, *m_selector, *m_route, *m_model, *m_variant, *m_user, *m_secret, *m_ca;
    QComboBox *m_unit, *m_auth;
    QLabel *m_kept; // "a password is stored in the keychain" / "none stored"
    QPushButton *m_test;
    QLabel *m_result;
    PrometheusTester *m_tester;
    TokenStore *m_checks;
    std::function<ConnectionProfile()> m_formProfile;
    QString m_entry; // the loaded profile's keychain entry
    Kept m_keptState = Kept::Unknown;
    QString m_keptError;
    int m_writing = 0; // secrets being written under m_entry: checks meanwhile are stale
};

class OtlpSection : public QWidget
{
    Q_OBJECT
public:
    explicit OtlpSection(QWidget *parent = nullptr);
    void load(const ConnectionProfile &p);
    void store(ConnectionProfile *p) const;

private:
    QLineEdit *m_route, *m_model, *m_variant;
};

// The service's form, then the two sources, as tabs.
QTabWidget *sourceTabs(QWidget *serviceForm, PrometheusSection *prometheus, OtlpSection *otlp,
                       QWidget *parent);

} // namespace sb
