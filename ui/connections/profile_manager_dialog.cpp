#include "ui/connections/profile_manager_dialog.h"

#include "ui/common/palette.h"
#include "ui/connections/connection_tester.h"
#include "ui/connections/profile_transfer.h"
#include "ui/connections/source_sections.h"
#include "ui/connections/token_store.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sb {

ProfileManagerDialog::ProfileManagerDialog(std::vector<ConnectionProfile> profiles,
                                           const QString &select, QWidget *parent)
    : QDialog(parent), m_tokens(new TokenStore(this)), m_list(new QListWidget(this)),
      m_name(new QLineEdit(this)), m_endpoint(new QLineEdit(this)),
      m_environment(new QComboBox(this)), m_tls(new QCheckBox(tr("Use &TLS"), this)),
      m_caMode(new QComboBox(this)), m_caFile(new QLineEdit(this)), m_certFile(new QLineEdit(this)),
      m_keyFile(new QLineEdit(this)), m_tokenSource(new QComboBox(this)),
      m_tokenVariable(new QLineEdit(this)), m_token(new QLineEdit(this)),
      m_forgetToken(new QPushButton(tr("Forget"), this)), m_headers(new QTableWidget(0, 2, this)),
      m_status(new QLabel(this)), m_save(new QPushButton(tr("&Save"), this)),
      m_delete(new QPushButton(tr("Delete"), this)),
      m_connect(new QPushButton(tr("&Connect"), this)),
      m_openBeside(new QPushButton(tr("Open &beside"), this)),
      m_test(new QPushButton(tr("&Test"), this)), m_tester(new ConnectionTester(this)),
      m_transfer(new ProfileTransfer(this)), m_prometheus(new PrometheusSection(this)),
      m_otlp(new OtlpSection(this))
{
    setObjectName(QStringLiteral("profileManager"));
    setWindowTitle(tr("Connection profiles"));
    // Built-in entries (the in-process sim) are not kept as profiles.
    for (auto &p : profiles) {
        if (!p.builtIn)
            m_profiles.push_back(p);
    }

    auto *left = new QVBoxLayout;
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setIconSize(QSize(14, 14));
    m_list->setMinimumWidth(200);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection); // for Export
    left->addWidget(m_list, 1);
    auto *listButtons = new QHBoxLayout;
    auto *add = new QPushButton(QIcon::fromTheme(QStringLiteral("list-add")), tr("&New"), this);
    auto *dup = new QPushButton(tr("D&uplicate"), this);
    add->setObjectName(QStringLiteral("newProfile"));
    dup->setObjectName(QStringLiteral("duplicateProfile"));
    m_delete->setObjectName(QStringLiteral("deleteProfile"));
    listButtons->addWidget(add);
    listButtons->addWidget(dup);
    listButtons->addWidget(m_delete);
    left->addLayout(listButtons);
    auto *fileButtons = new QHBoxLayout;
    auto *importButton = new QPushButton(tr("&Import…"), this);
    auto *exportButton = new QPushButton(tr("E&xport…"), this);
    importButton->setObjectName(QStringLiteral("importProfiles"));
    exportButton->setObjectName(QStringLiteral("exportProfiles"));
    importButton->setToolTip(tr("Add the profiles of a file exported by Switchboard"));
    exportButton->setToolTip(tr("Write the selected profiles to a file, without tokens or keys"));
    fileButtons->addWidget(importButton);
    fileButtons->addWidget(exportButton);
    fileButtons->addStretch(1);
    left->addLayout(fileButtons);
    connect(importButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import profiles"), QString(),
                                                          tr("Profiles (*.json);;All files (*)"));
        if (!path.isEmpty())
            importProfiles(path);
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QStringList names = selectedNames();
        if (names.isEmpty())
            return;
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export profiles"), QStringLiteral("switchboard-profiles.json"),
            tr("Profiles (*.json)"));
        if (!path.isEmpty())
            exportProfiles(path, names);
    });

    auto *form = new QWidget(this);
    buildForm(form);

    auto *columns = new QHBoxLayout;
    columns->addLayout(left);
    columns->addWidget(sourceTabs(form, m_prometheus, m_otlp, this), 1);
    m_prometheus->setFormProfile([this] { return fromForm(); });
    connect(m_prometheus, &PrometheusSection::edited, this, &ProfileManagerDialog::updateEnabled);

    m_status->setObjectName(QStringLiteral("profileStatus"));
    m_status->setWordWrap(true);
    m_save->setObjectName(QStringLiteral("saveProfile"));
    m_connect->setObjectName(QStringLiteral("connectProfile"));
    m_openBeside->setObjectName(QStringLiteral("openBesideProfile"));
    m_connect->setToolTip(tr("Save, then switch this window to the profile"));
    m_openBeside->setToolTip(tr("Save, then open the profile in a window of its own"));
    m_test->setObjectName(QStringLiteral("testProfile"));
    m_test->setToolTip(tr("Connect with what the form says now (saved or not), make one call "
                          "that needs the token, and say what happened"));
    connect(m_test, &QPushButton::clicked, this, [this] {
        if (const QString e = error(); !e.isEmpty()) {
            setStatus(e, true);
            return;
        }
        m_test->setEnabled(false);
        m_tester->test(fromForm(), m_token->text());
    });
    connect(m_tester, &ConnectionTester::progress, this,
            [this](const QString &what) { setStatus(what, false); });
    connect(m_tester, &ConnectionTester::finished, this, [this](bool ok, const QString &sentence) {
        setStatus(sentence, !ok);
        m_test->setEnabled(m_row >= 0);
    });
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_test, QDialogButtonBox::ActionRole);
    buttons->addButton(m_save, QDialogButtonBox::ApplyRole);
    buttons->addButton(m_openBeside, QDialogButtonBox::ActionRole);
    buttons->addButton(m_connect, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Close);
    m_connect->setDefault(true);

    auto *outer = new QVBoxLayout(this);
    outer->addLayout(columns, 1);
    outer->addWidget(m_status);
    outer->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::currentRowChanged, this, &ProfileManagerDialog::select);
    connect(add, &QPushButton::clicked, this, [this] {
        ConnectionProfile p;
        p.name = tr("new profile");
        for (int n = 2; profile_store::find(m_profiles, p.name); ++n)
            p.name = tr("new profile %1").arg(n);
        p.endpoint = QStringLiteral("localhost:50051");
        addProfile(p);
        m_name->setFocus();
        m_name->selectAll();
    });
    connect(dup, &QPushButton::clicked, this, [this] {
        if (!apply())
            return;
        ConnectionProfile p = m_profiles[std::size_t(m_row)];
        p.name = tr("%1 copy").arg(p.name);
        addProfile(p);
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (m_row < 0)
            return;
        const ConnectionProfile gone = m_profiles[std::size_t(m_row)];
        m_profiles.erase(m_profiles.begin() + m_row);
        if (gone.tokenSource == ConnectionProfile::TokenSource::Keychain)
            m_tokens->remove(gone.name);
        m_prometheus->applySecret(m_tokens, gone, nullptr);
        m_row = -1;
        refreshList();
        m_list->setCurrentRow(std::min<int>(int(m_profiles.size()) - 1, 0));
        emit profilesSaved(m_profiles);
        setStatus(tr("Deleted \"%1\".").arg(gone.name), false);
    });
    connect(m_save, &QPushButton::clicked, this, &ProfileManagerDialog::save);
    auto connectTo = [this](bool beside) {
        if (!apply())
            return;
        save();
        emit connectRequested(m_profiles[std::size_t(m_row)].name, beside);
        accept();
    };
    connect(m_connect, &QPushButton::clicked, this, [connectTo] { connectTo(false); });
    connect(m_openBeside, &QPushButton::clicked, this, [connectTo] { connectTo(true); });
    connect(m_tokens, &TokenStore::tokenWritten, this,
            [this](const QString &profile, const QString &error) {
                const bool prom = profile.endsWith(QLatin1String("/prometheus"));
                setStatus(error.isEmpty()
                              ? (prom ? tr("The Prometheus secret of \"%1\" is in the keychain.")
                                            .arg(profile.section(QLatin1Char('/'), 0, 0))
                                      : tr("The token of \"%1\" is in the keychain.").arg(profile))
                              : tr("The secret was not saved: %1.").arg(error),
                          !error.isEmpty());
            });
    connect(m_tokens, &TokenStore::tokenRemoved, this,
            [this](const QString &profile, const QString &error) {
                if (!error.isEmpty())
                    setStatus(tr("The token of \"%1\" could not be removed from the keychain: "
                                 "%2.")
                                  .arg(profile, error),
                              true);
            });
    connect(m_tokens, &TokenStore::tokenMoved, this,
            [this](const QString &from, const QString &to, const QString &error) {
                if (!error.isEmpty())
                    setStatus(tr("The token of \"%1\" could not follow the rename to \"%2\": "
                                 "%3; type it again.")
                                  .arg(from, to, error),
                              true);
            });
    connect(m_forgetToken, &QPushButton::clicked, this, [this] {
        if (m_row < 0)
            return;
        m_tokens->remove(m_profiles[std::size_t(m_row)].name);
        setStatus(tr("Removed the token of \"%1\" from the keychain.")
                      .arg(m_profiles[std::size_t(m_row)].name),
                  false);
    });

    refreshList();
    int row = 0;
    for (std::size_t i = 0; i < m_profiles.size(); ++i) {
        if (m_profiles[i].name == select)
            row = int(i);
    }
    if (m_profiles.empty())
        setStatus(tr("No profiles yet: press New to add the first."), false);
    else
        m_list->setCurrentRow(row);
    updateEnabled();
    resize(860, 560);
}

void ProfileManagerDialog::refreshList()
{
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const auto &p : m_profiles) {
        auto *item = new QListWidgetItem(environmentSwatch(p.environment), p.name, m_list);
        item->setToolTip(QStringLiteral("%1\n%2").arg(p.endpoint, p.summary()));
    }
    if (m_row >= 0)
        m_list->setCurrentRow(m_row);
}

void ProfileManagerDialog::addProfile(const ConnectionProfile &p)
{
    if (m_row >= 0 && !apply())
        return;
    m_profiles.push_back(p);
    refreshList();
    m_list->setCurrentRow(int(m_profiles.size()) - 1);
}

void ProfileManagerDialog::select(int row)
{
    if (row == m_row)
        return;
    // Leaving a profile keeps its edits, unless they do not make a usable one.
    if (m_row >= 0 && m_row < int(m_profiles.size()) && !apply()) {
        const QSignalBlocker block(m_list);
        m_list->setCurrentRow(m_row);
        return;
    }
    m_row = row;
    if (row >= 0 && row < int(m_profiles.size()))
        load(m_profiles[std::size_t(row)]);
    updateEnabled();
}

QString ProfileManagerDialog::error() const
{
    if (m_row < 0)
        return {};
    const ConnectionProfile p = fromForm();
    if (QString e = p.validate(); !e.isEmpty())
        return e;
    if (m_tls->isChecked() && m_caMode->currentIndex() == 1 && p.caFile.isEmpty())
        return tr("Trust: choose the CA file, or use the system root certificates");
    for (std::size_t i = 0; i < m_profiles.size(); ++i) {
        if (int(i) != m_row && m_profiles[i].name == p.name)
            return tr("Name: another profile is called \"%1\"").arg(p.name);
    }
    return {};
}

bool ProfileManagerDialog::apply()
{
    if (m_row < 0 || m_row >= int(m_profiles.size()))
        return false;
    if (const QString e = error(); !e.isEmpty()) {
        setStatus(e, true);
        return false;
    }
    ConnectionProfile p = fromForm();
    ConnectionProfile &old = m_profiles[std::size_t(m_row)];
    const bool renamed = old.name != p.name;
    if (p.tokenSource == ConnectionProfile::TokenSource::Keychain) {
        if (!m_token->text().isEmpty()) {
            m_tokens->write(p.name, m_token->text());
            m_token->clear();
            if (renamed && old.tokenSource == ConnectionProfile::TokenSource::Keychain)
                m_tokens->remove(old.name);
        } else if (renamed && old.tokenSource == ConnectionProfile::TokenSource::Keychain) {
            m_tokens->move(old.name, p.name); // the token follows the rename
        }
    } else if (renamed && old.tokenSource == ConnectionProfile::TokenSource::Keychain) {
        m_tokens->remove(old.name);
    }
    m_prometheus->applySecret(m_tokens, old, &p);
    old = p;
    refreshList();
    return true;
}

void ProfileManagerDialog::save()
{
    if (!apply())
        return;
    emit profilesSaved(m_profiles);
    if (m_status->text().isEmpty())
        setStatus(tr("Saved."), false);
}

void ProfileManagerDialog::updateEnabled()
{
    const bool has = m_row >= 0;
    const bool tls = m_tls->isChecked();
    for (QWidget *w : {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_endpoint),
                       static_cast<QWidget *>(m_environment), static_cast<QWidget *>(m_tls),
                       static_cast<QWidget *>(m_tokenSource), static_cast<QWidget *>(m_headers)})
        w->setEnabled(has);
    for (QWidget *w : std::as_const(m_tlsWidgets))
        w->setEnabled(has && tls);
    m_caFile->setEnabled(has && tls && m_caMode->currentIndex() == 1);
    const int source = m_tokenSource->currentIndex();
    m_tokenVariable->setVisible(source == 2);
    m_token->setVisible(source == 1);
    m_forgetToken->setVisible(source == 1);
    m_prometheus->setEnabled(has);
    m_otlp->setEnabled(has);
    m_save->setEnabled(has);
    m_delete->setEnabled(has);
    m_connect->setEnabled(has);
    m_openBeside->setEnabled(has);
    m_test->setEnabled(has && !m_tester->busy());
    if (!m_loading && has) {
        const QString e = error();
        setStatus(e, !e.isEmpty());
    }
}

void ProfileManagerDialog::setStatus(const QString &text, bool bad)
{
    m_status->setText(text);
    m_status->setStyleSheet(bad ? QStringLiteral("color: %1;").arg(palette::bad().name())
                                : QString());
}

} // namespace sb
