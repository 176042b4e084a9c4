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
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace sb {

namespace {

QIcon swatch(const QColor &c)
{
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(c);
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(QRectF(1, 1, 12, 12), 3, 3);
    return QIcon(pm);
}

QWidget *withBrowse(QLineEdit *edit, QToolButton *button)
{
    auto *w = new QWidget;
    auto *l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(edit, 1);
    l->addWidget(button);
    return w;
}

} // namespace

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

void ProfileManagerDialog::buildForm(QWidget *form)
{
    auto *f = new QFormLayout(form);
    f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_name->setObjectName(QStringLiteral("profileName"));
    m_endpoint->setObjectName(QStringLiteral("profileEndpoint"));
    m_endpoint->setPlaceholderText(QStringLiteral("switchboard.example.com:443"));
    m_environment->setObjectName(QStringLiteral("profileEnvironment"));
    for (Environment e : {Environment::Dev, Environment::Staging, Environment::Prod})
        m_environment->addItem(swatch(environmentColor(e)),
                               e == Environment::Prod      ? tr("prod (production)")
                               : e == Environment::Staging ? tr("staging")
                                                           : tr("dev"),
                               int(e));
    m_tls->setObjectName(QStringLiteral("profileTls"));
    m_caMode->setObjectName(QStringLiteral("profileCaMode"));
    m_caMode->addItems({tr("System root certificates"), tr("Custom CA file")});
    m_caFile->setObjectName(QStringLiteral("profileCaFile"));
    m_caFile->setPlaceholderText(tr("PEM file of the CA that signed the service's certificate"));
    m_certFile->setObjectName(QStringLiteral("profileCertFile"));
    m_certFile->setPlaceholderText(tr("optional, for mTLS: PEM certificate"));
    m_keyFile->setObjectName(QStringLiteral("profileKeyFile"));
    m_keyFile->setPlaceholderText(tr("PEM private key of that certificate"));
    m_tokenSource->setObjectName(QStringLiteral("profileTokenSource"));
    m_tokenSource->addItems({tr("No token"), tr("OS keychain"), tr("Environment variable")});
    m_tokenVariable->setObjectName(QStringLiteral("profileTokenVariable"));
    m_tokenVariable->setPlaceholderText(QStringLiteral("SWITCHBOARD_TOKEN"));
    m_token->setObjectName(QStringLiteral("profileToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("type to store or replace the token in the keychain"));
    m_forgetToken->setObjectName(QStringLiteral("forgetToken"));
    m_headers->setObjectName(QStringLiteral("profileHeaders"));
    m_headers->setHorizontalHeaderLabels({tr("Header"), tr("Value")});
    m_headers->horizontalHeader()->setStretchLastSection(true);
    m_headers->verticalHeader()->hide();
    m_headers->setMinimumHeight(90);

    auto browseButton = [this](QLineEdit *edit, const QString &title) {
        auto *b = new QToolButton(this);
        b->setText(tr("Browse…"));
        connect(b, &QToolButton::clicked, this, [this, edit, title] { browse(edit, title); });
        m_tlsWidgets << b;
        return b;
    };
    auto *caRow = new QWidget(form);
    auto *cl = new QHBoxLayout(caRow);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->addWidget(m_caMode);
    cl->addWidget(m_caFile, 1);
    cl->addWidget(browseButton(m_caFile, tr("CA certificate")));
    auto *tokenRow = new QWidget(form);
    auto *tl = new QHBoxLayout(tokenRow);
    tl->setContentsMargins(0, 0, 0, 0);
    tl->addWidget(m_tokenSource);
    tl->addWidget(m_tokenVariable, 1);
    tl->addWidget(m_token, 1);
    tl->addWidget(m_forgetToken);
    auto *headerButtons = new QHBoxLayout;
    auto *addHeader = new QToolButton(form);
    addHeader->setText(tr("Add header"));
    auto *removeHeader = new QToolButton(form);
    removeHeader->setText(tr("Remove"));
    headerButtons->addWidget(addHeader);
    headerButtons->addWidget(removeHeader);
    headerButtons->addStretch(1);
    auto *headersBox = new QWidget(form);
    auto *hl = new QVBoxLayout(headersBox);
    hl->setContentsMargins(0, 0, 0, 0);
    hl->addWidget(m_headers);
    hl->addLayout(headerButtons);

    f->addRow(tr("&Name"), m_name);
    f->addRow(tr("&Endpoint"), m_endpoint);
    f->addRow(tr("En&vironment"), m_environment);
    f->addRow(tr("Security"), m_tls);
    f->addRow(tr("Trust"), caRow);
    f->addRow(tr("Client certificate"),
              withBrowse(m_certFile, browseButton(m_certFile, tr("Client certificate"))));
    f->addRow(tr("Client key"), withBrowse(m_keyFile, browseButton(m_keyFile, tr("Client key"))));
    f->addRow(tr("Token"), tokenRow);
    f->addRow(tr("Headers"), headersBox);
    m_tlsWidgets << m_caMode << m_caFile << m_certFile << m_keyFile;

    connect(addHeader, &QToolButton::clicked, this, [this] {
        m_headers->insertRow(m_headers->rowCount());
        m_headers->editItem(m_headers->item(m_headers->rowCount() - 1, 0));
    });
    connect(removeHeader, &QToolButton::clicked, this, [this] {
        if (m_headers->currentRow() >= 0)
            m_headers->removeRow(m_headers->currentRow());
    });
    for (QLineEdit *e : {m_name, m_endpoint, m_caFile, m_certFile, m_keyFile, m_tokenVariable})
        connect(e, &QLineEdit::textEdited, this, &ProfileManagerDialog::updateEnabled);
    for (QComboBox *c : {m_environment, m_caMode, m_tokenSource})
        connect(c, &QComboBox::currentIndexChanged, this, &ProfileManagerDialog::updateEnabled);
    connect(m_tls, &QCheckBox::toggled, this, &ProfileManagerDialog::updateEnabled);
}

void ProfileManagerDialog::browse(QLineEdit *edit, const QString &title)
{
    const QString path = QFileDialog::getOpenFileName(this, title, edit->text(),
                                                      tr("PEM files (*.pem *.crt *.key);;All "
                                                         "files (*)"));
    if (!path.isEmpty()) {
        edit->setText(path);
        updateEnabled();
    }
}

void ProfileManagerDialog::refreshList()
{
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const auto &p : m_profiles) {
        auto *item = new QListWidgetItem(swatch(environmentColor(p.environment)), p.name, m_list);
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

void ProfileManagerDialog::load(const ConnectionProfile &p)
{
    m_loading = true;
    m_name->setText(p.name);
    m_endpoint->setText(p.endpoint);
    m_environment->setCurrentIndex(m_environment->findData(int(p.environment)));
    m_tls->setChecked(p.tls);
    m_caMode->setCurrentIndex(p.caFile.isEmpty() ? 0 : 1);
    m_caFile->setText(p.caFile);
    m_certFile->setText(p.clientCertFile);
    m_keyFile->setText(p.clientKeyFile);
    m_tokenSource->setCurrentIndex(int(p.tokenSource));
    m_tokenVariable->setText(p.tokenVariable);
    m_token->clear();
    m_headers->setRowCount(0);
    for (const auto &[key, value] : p.metadata) {
        const int r = m_headers->rowCount();
        m_headers->insertRow(r);
        m_headers->setItem(r, 0, new QTableWidgetItem(key));
        m_headers->setItem(r, 1, new QTableWidgetItem(value));
    }
    m_prometheus->load(p);
    m_otlp->load(p);
    m_loading = false;
    setStatus(QString(), false);
}

ConnectionProfile ProfileManagerDialog::fromForm() const
{
    ConnectionProfile p;
    p.name = m_name->text().trimmed();
    p.endpoint = m_endpoint->text().trimmed();
    p.environment = Environment(m_environment->currentData().toInt());
    p.tls = m_tls->isChecked();
    if (p.tls) {
        p.caFile = m_caMode->currentIndex() == 1 ? m_caFile->text().trimmed() : QString();
        p.clientCertFile = m_certFile->text().trimmed();
        p.clientKeyFile = m_keyFile->text().trimmed();
    }
    p.tokenSource = ConnectionProfile::TokenSource(m_tokenSource->currentIndex());
    if (p.tokenSource == ConnectionProfile::TokenSource::Environment)
        p.tokenVariable = m_tokenVariable->text().trimmed();
    for (int r = 0; r < m_headers->rowCount(); ++r) {
        const auto *k = m_headers->item(r, 0);
        const auto *v = m_headers->item(r, 1);
        if (k && !k->text().trimmed().isEmpty())
            p.metadata.append({k->text().trimmed().toLower(), v ? v->text() : QString()});
    }
    m_prometheus->store(&p);
    m_otlp->store(&p);
    return p;
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
