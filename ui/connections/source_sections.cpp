#include "ui/connections/source_sections.h"

#include "ui/common/palette.h"
#include "ui/connections/prometheus_tester.h"
#include "ui/connections/token_store.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QToolButton>
#include <memory>

namespace sb {

namespace {

QLineEdit *edit(QWidget *parent, const char *name, const QString &placeholder)
{
    auto *e = new QLineEdit(parent);
    e->setObjectName(QString::fromLatin1(name));
    e->setPlaceholderText(placeholder);
    return e;
}

QWidget *row(QWidget *parent, std::initializer_list<QWidget *> widgets)
{
    auto *w = new QWidget(parent);
    auto *l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    for (QWidget *x : widgets)
        l->addWidget(x, qobject_cast<QLineEdit *>(x) ? 1 : 0);
    return w;
}

QStringList listOf(const QLineEdit *e)
{
    QStringList out;
    for (const QString &s : e->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!s.trimmed().isEmpty())
            out << s.trimmed();
    return out;
}

QLabel *note(QWidget *parent, const QString &text)
{
    auto *l = new QLabel(text, parent);
    l->setWordWrap(true);
    l->setEnabled(false); // the palette's muted text
    return l;
}

} // namespace

PrometheusSection::PrometheusSection(QWidget *parent)
    : QWidget(parent),
      m_url(edit(this, "promUrl", tr("http://prometheus:9090 (empty: no Prometheus history)"))),
      m_selector(
          edit(this, "promSelector", QStringLiteral("gen_ai_client_operation_duration_seconds"))),
      m_route(edit(this, "promRouteLabel", QStringLiteral("route"))),
      m_model(edit(this, "promModelLabel", tr("none: the metric's name"))),
      m_variant(edit(this, "promVariantLabel", tr("none"))),
      m_user(edit(this, "promBasicUser", tr("user name"))),
      m_secret(edit(this, "promSecret", QString())),
      m_ca(edit(this, "promCaFile",
                tr("https only: PEM file of the CA (empty: the system's roots)"))),
      m_unit(new QComboBox(this)), m_auth(new QComboBox(this)), m_kept(note(this, QString())),
      m_test(new QPushButton(tr("Test &Prometheus"), this)), m_result(new QLabel(this)),
      m_tester(new PrometheusTester(this)), m_checks(new TokenStore(this))
{
    m_kept->setObjectName(QStringLiteral("promSecretKept"));
    connect(m_checks, &TokenStore::tokenChecked, this,
            [this](const QString &entry, bool kept, const QString &error) {
                if (entry != m_entry || m_writing > 0)
                    return; // another profile's, or older than a write under way
                showKept(!error.isEmpty() ? Kept::Unreadable : kept ? Kept::Yes : Kept::No, error);
            });
    setObjectName(QStringLiteral("prometheusSection"));
    m_unit->setObjectName(QStringLiteral("promUnit"));
    m_unit->addItem(tr("seconds (Prometheus convention)"), QStringLiteral("s"));
    m_unit->addItem(tr("milliseconds"), QStringLiteral("ms"));
    m_auth->setObjectName(QStringLiteral("promAuth"));
    m_auth->addItems({tr("No authentication"), tr("Bearer token"), tr("Basic auth")});
    m_secret->setEchoMode(QLineEdit::Password);
    m_test->setObjectName(QStringLiteral("testPrometheus"));
    m_test->setToolTip(tr("Import the last hour with what the form says now (saved or not) "
                          "and say what Prometheus answered"));
    m_result->setObjectName(QStringLiteral("promTestResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *browse = new QToolButton(this);
    browse->setText(tr("Browse…"));

    auto *f = new QFormLayout(this);
    f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    f->addRow(note(this, tr("Latency history imported from a Prometheus server's native "
                            "histograms (else classic buckets), cached, and drawn when you "
                            "scroll the chart back past what this console saw.")));
    f->addRow(tr("&URL"), m_url);
    f->addRow(tr("&Metric"), row(this, {m_selector, m_unit}));
    f->addRow(tr("&Route label"), m_route);
    f->addRow(tr("M&odel label"), m_model);
    f->addRow(tr("&Variant label"), m_variant);
    f->addRow(tr("&Authentication"), row(this, {m_auth, m_user, m_secret}));
    f->addRow(QString(), m_kept);
    f->addRow(tr("&CA"), row(this, {m_ca, browse}));
    f->addRow(QString(), row(this, {m_test, m_result}));
    m_result->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Prometheus CA certificate"), m_ca->text(),
                                         tr("PEM files (*.pem *.crt);;All files (*)"));
        if (!path.isEmpty()) {
            m_ca->setText(path);
            emit edited();
        }
    });
    for (QLineEdit *e : {m_url, m_selector, m_route, m_model, m_variant, m_user, m_ca})
        connect(e, &QLineEdit::textEdited, this, &PrometheusSection::edited);
    for (QComboBox *c : {m_unit, m_auth})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            updateEnabled();
            emit edited();
        });
    connect(m_auth, &QComboBox::currentIndexChanged, this, [this] {
        if (m_keptState == Kept::Unknown)
            checkKept(); // authentication just chosen: is a secret kept from before?
    });
    connect(m_test, &QPushButton::clicked, this, &PrometheusSection::runTest);
    connect(m_tester, &PrometheusTester::finished, this, [this](bool ok, const QString &sentence) {
        m_result->setText(sentence);
        m_result->setStyleSheet(ok ? QStringLiteral("color: %1;").arg(palette::good().name())
                                   : QStringLiteral("color: %1;").arg(palette::bad().name()));
        m_test->setEnabled(true);
    });
    updateEnabled();
}

void PrometheusSection::setFormProfile(std::function<ConnectionProfile()> formProfile)
{
    m_formProfile = std::move(formProfile);
}

void PrometheusSection::runTest()
{
    if (!m_formProfile || m_tester->busy())
        return;
    m_test->setEnabled(false);
    m_result->setStyleSheet(QString());
    m_result->setText(tr("Asking %1 for the last hour…").arg(m_url->text().trimmed()));
    m_tester->test(m_formProfile(), m_secret->text());
}

void PrometheusSection::updateEnabled()
{
    const int auth = m_auth->currentIndex();
    m_user->setVisible(auth == 2);
    m_secret->setVisible(auth != 0);
    m_secret->setPlaceholderText(auth == 2 ? tr("type to keep or replace the password in the "
                                                "keychain")
                                           : tr("type to keep or replace the token in the "
                                                "keychain"));
    showKept(m_keptState, m_keptError);
}

void PrometheusSection::checkKept()
{
    if (m_entry.isEmpty() || m_auth->currentIndex() == 0)
        return;
    showKept(Kept::Checking);
    m_checks->check(m_entry);
}

void PrometheusSection::showKept(Kept kept, const QString &error)
{
    m_keptState = kept;
    m_keptError = error;
    const bool password = m_auth->currentIndex() == 2;
    QString text;
    switch (kept) {
    case Kept::Unknown:
        break;
    case Kept::Checking:
        text = tr("Looking in the keychain…");
        break;
    case Kept::Yes:
        text = password ? tr("A password is stored in the keychain; type one to replace it.")
                        : tr("A token is stored in the keychain; type one to replace it.");
        break;
    case Kept::No:
        text = password ? tr("No password is stored in the keychain: type it, then save.")
                        : tr("No token is stored in the keychain: type it, then save.");
        break;
    case Kept::Unreadable:
        text = tr("The keychain cannot say whether one is stored: %1").arg(error);
        break;
    }
    m_kept->setText(text);
    m_kept->setVisible(m_auth->currentIndex() != 0 && !text.isEmpty());
}

void PrometheusSection::load(const ConnectionProfile &p)
{
    const QSignalBlocker b1(m_unit), b2(m_auth);
    m_url->setText(p.promUrl);
    m_selector->setText(p.promSelector);
    m_unit->setCurrentIndex(p.promUnit == QLatin1String("ms") ? 1 : 0);
    m_route->setText(p.promRouteLabel);
    m_model->setText(p.promModelLabel);
    m_variant->setText(p.promVariantLabel);
    m_auth->setCurrentIndex(int(p.promAuth));
    m_user->setText(p.promBasicUser);
    m_secret->clear();
    m_ca->setText(p.promCaFile);
    m_result->clear();
    const QString entry = p.name.isEmpty() ? QString() : prometheusKeychainEntry(p.name);
    if (entry == m_entry && m_writing > 0) {
        updateEnabled(); // reloaded after a save: the write's answer says whether it is kept
        return;
    }
    m_entry = entry;
    m_writing = 0;
    m_keptState = Kept::Unknown;
    updateEnabled();
    checkKept();
}

void PrometheusSection::store(ConnectionProfile *p) const
{
    p->promUrl = m_url->text().trimmed();
    p->promSelector = m_selector->text().trimmed();
    p->promUnit = m_unit->currentIndex() == 1 ? QStringLiteral("ms") : QString();
    p->promRouteLabel = m_route->text().trimmed();
    p->promModelLabel = m_model->text().trimmed();
    p->promVariantLabel = m_variant->text().trimmed();
    p->promAuth = ConnectionProfile::PromAuth(m_auth->currentIndex());
    p->promBasicUser =
        p->promAuth == ConnectionProfile::PromAuth::Basic ? m_user->text().trimmed() : QString();
    p->promCaFile = m_ca->text().trimmed();
}

QString PrometheusSection::typedSecret() const
{
    return m_auth->currentIndex() == 0 ? QString() : m_secret->text();
}

void PrometheusSection::applySecret(TokenStore *tokens, const ConnectionProfile &old,
                                    const ConnectionProfile *now)
{
    const bool had = old.promAuth != ConnectionProfile::PromAuth::None;
    const QString from = prometheusKeychainEntry(old.name);
    if (!now) {
        if (had)
            tokens->remove(from);
        return;
    }
    const QString to = prometheusKeychainEntry(now->name);
    const bool renamed = from != to;
    if (now->promAuth != ConnectionProfile::PromAuth::None && !typedSecret().isEmpty()) {
        // Stored once the keychain says so (checks before that are stale).
        ++m_writing;
        auto written = std::make_shared<QMetaObject::Connection>();
        *written = connect(tokens, &TokenStore::tokenWritten, this,
                           [this, to, written](const QString &entry, const QString &error) {
                               if (entry != to)
                                   return;
                               disconnect(*written);
                               if (entry != m_entry)
                                   return;
                               m_writing = std::max(0, m_writing - 1);
                               showKept(error.isEmpty() ? Kept::Yes : Kept::Unreadable, error);
                           });
        m_entry = to;
        showKept(Kept::Checking);
        tokens->write(to, typedSecret());
        m_secret->clear();
        if (renamed && had)
            tokens->remove(from);
    } else if (renamed && had) {
        tokens->move(from, to); // the secret follows the rename
        m_entry = to;
    }
}

OtlpSection::OtlpSection(QWidget *parent)
    : QWidget(parent), m_route(edit(this, "otlpRouteAttributes",
                                    QStringLiteral("route, http.route, gen_ai.operation.name"))),
      m_model(edit(this, "otlpModelAttributes",
                   QStringLiteral("gen_ai.response.model, gen_ai.request.model"))),
      m_variant(edit(this, "otlpVariantAttributes", tr("none")))
{
    setObjectName(QStringLiteral("otlpSection"));
    auto *f = new QFormLayout(this);
    f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    f->addRow(note(this, tr("Which attributes of data sent to the console's OTLP receiver "
                            "(--otlp-listen) name a series' route, model and variant; the "
                            "first present wins, comma-separated (e.g. service.name). Empty: "
                            "the defaults shown.")));
    f->addRow(tr("&Route attributes"), m_route);
    f->addRow(tr("&Model attributes"), m_model);
    f->addRow(tr("&Variant attributes"), m_variant);
}

void OtlpSection::load(const ConnectionProfile &p)
{
    m_route->setText(p.otlpRouteAttributes.join(QStringLiteral(", ")));
    m_model->setText(p.otlpModelAttributes.join(QStringLiteral(", ")));
    m_variant->setText(p.otlpVariantAttributes.join(QStringLiteral(", ")));
}

void OtlpSection::store(ConnectionProfile *p) const
{
    p->otlpRouteAttributes = listOf(m_route);
    p->otlpModelAttributes = listOf(m_model);
    p->otlpVariantAttributes = listOf(m_variant);
}

QTabWidget *sourceTabs(QWidget *serviceForm, PrometheusSection *prometheus, OtlpSection *otlp,
                       QWidget *parent)
{
    auto *tabs = new QTabWidget(parent);
    tabs->setObjectName(QStringLiteral("profileTabs"));
    tabs->addTab(serviceForm, QObject::tr("Service"));
    tabs->addTab(prometheus, QObject::tr("Prometheus history"));
    tabs->addTab(otlp, QObject::tr("OpenTelemetry"));
    return tabs;
}

} // namespace sb
