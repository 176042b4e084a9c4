// ProfileManagerDialog's Service tab: the form of one profile's endpoint,
// environment, TLS files, token and headers (buildForm), its file pickers,
// and the profile loaded into it and read back from it. The list, the
// buttons and the other tabs are in profile_manager_dialog.cpp; Import and
// Export in profile_manager_transfer.cpp.

#include "ui/common/palette.h"
#include "ui/connections/profile_manager_dialog.h"
#include "ui/connections/source_sections.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace sb {

namespace {

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

void ProfileManagerDialog::buildForm(QWidget *form)
{
    auto *f = new QFormLayout(form);
    f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_name->setObjectName(QStringLiteral("profileName"));
    m_endpoint->setObjectName(QStringLiteral("profileEndpoint"));
    m_endpoint->setPlaceholderText(QStringLiteral("switchboard.example.com:443"));
    m_environment->setObjectName(QStringLiteral("profileEnvironment"));
    for (Environment e : {Environment::Dev, Environment::Staging, Environment::Prod})
        m_environment->addItem(environmentSwatch(e),
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

} // namespace sb
