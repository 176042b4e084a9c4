#include "ui/experiments/experiment_setup_dialog.h"

#include "ui/common/palette.h"
#include "ui/experiments/experiments_controller.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sb {

namespace {

const std::vector<Metric> &allMetrics()
{
    static const std::vector<Metric> m = {
        Metric::SuccessRate, Metric::Latency,           Metric::TimeToFirstToken,
        Metric::Cost,        Metric::HallucinationRate, Metric::Preference,
        Metric::Rating};
    return m;
}

// As a guardrail, latency is checked at p95; as the primary metric it is
// compared by geometric mean (see core/experiment_analysis.h).
QString metricLabel(Metric m, bool guardrail)
{
    switch (m) {
    case Metric::Latency:
        return guardrail ? ExperimentSetupDialog::tr("p95 latency")
                         : ExperimentSetupDialog::tr("latency (typical request)");
    case Metric::TimeToFirstToken:
        return guardrail ? ExperimentSetupDialog::tr("p95 time to first token")
                         : ExperimentSetupDialog::tr("time to first token (typical request)");
    case Metric::Cost:
        return ExperimentSetupDialog::tr("cost per request");
    case Metric::Preference:
        return guardrail ? ExperimentSetupDialog::tr("preference")
                         : ExperimentSetupDialog::tr("preference (arena votes)");
    default:
        return toString(m);
    }
}

QString sumText(int total)
{
    if (total == 100)
        return ExperimentSetupDialog::tr("Weights add up to 100 % ✓");
    return ExperimentSetupDialog::tr("Weights add up to %1 %: they must add up to 100 %")
        .arg(total);
}

} // namespace

ExperimentSetupDialog::ExperimentSetupDialog(ExperimentsController *controller, QWidget *parent)
    : QDialog(parent), m_controller(controller), m_name(new QLineEdit),
      m_description(new QPlainTextEdit), m_route(new QComboBox), m_metric(new QComboBox),
      m_grid(new QGridLayout), m_add(new QPushButton(tr("&Add variant"))),
      m_even(new QPushButton(tr("Split &evenly"))), m_sum(new QLabel), m_problem(new QLabel),
      m_create(new QPushButton(tr("Create draft…")))
{
    setObjectName(QStringLiteral("experimentSetupDialog"));
    setWindowTitle(tr("New experiment"));
    setMinimumWidth(860);
    auto *layout = new QVBoxLayout(this);

    auto *form = new QFormLayout;
    m_name->setObjectName(QStringLiteral("setupName"));
    m_name->setPlaceholderText(tr("e.g. Support reply: shorter v4 against v3"));
    m_description->setObjectName(QStringLiteral("setupDescription"));
    m_description->setPlaceholderText(tr("What is tested, and why"));
    m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 2 + 14);
    m_route->setObjectName(QStringLiteral("setupRoute"));
    m_route->addItems(controller->routes());
    m_route->setEditable(m_route->count() == 0);
    m_metric->setObjectName(QStringLiteral("setupMetric"));
    for (Metric m : allMetrics())
        m_metric->addItem(metricLabel(m, false), int(m));
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Description:"), m_description);
    form->addRow(tr("&Route:"), m_route);
    form->addRow(tr("&Primary metric (decides the winner):"), m_metric);
    auto *guards = new QGridLayout;
    for (Metric m : allMetrics()) {
        auto *box = new QCheckBox(metricLabel(m, true));
        box->setObjectName(QStringLiteral("guardrail_%1").arg(int(m)));
        box->setChecked(m == Metric::Latency || m == Metric::Cost ||
                        m == Metric::HallucinationRate);
        connect(box, &QCheckBox::toggled, this, &ExperimentSetupDialog::validate);
        const int n = int(m_guardrails.size());
        guards->addWidget(box, n / 4, n % 4);
        m_guardrails.emplace_back(m, box);
    }
    form->addRow(tr("Guardrails (must not get worse):"), guards);
    layout->addLayout(form);

    auto *variants = new QGroupBox(tr("Variants: 2 to 4 prompt versions on models"));
    auto *vl = new QVBoxLayout(variants);
    vl->addLayout(m_grid);
    auto *rowButtons = new QHBoxLayout;
    m_add->setObjectName(QStringLiteral("setupAddVariant"));
    m_even->setObjectName(QStringLiteral("setupSplitEvenly"));
    m_sum->setObjectName(QStringLiteral("setupWeightSum"));
    rowButtons->addWidget(m_add);
    rowButtons->addWidget(m_even);
    rowButtons->addStretch(1);
    rowButtons->addWidget(m_sum);
    vl->addLayout(rowButtons);
    layout->addWidget(variants);

    m_problem->setObjectName(QStringLiteral("setupProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(palette::bad().name()));
    layout->addWidget(m_problem);

    auto *buttons = new QDialogButtonBox;
    m_create->setObjectName(QStringLiteral("setupCreate"));
    m_create->setDefault(true);
    buttons->addButton(m_create, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_name, &QLineEdit::textChanged, this, &ExperimentSetupDialog::validate);
    connect(m_route, &QComboBox::currentTextChanged, this, &ExperimentSetupDialog::validate);
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] {
        const Metric primary = Metric(m_metric->currentData().toInt());
        for (auto &[m, box] : m_guardrails) {
            box->setEnabled(m != primary);
            if (m == primary)
                box->setChecked(false);
        }
        validate();
    });
    connect(m_add, &QPushButton::clicked, this, &ExperimentSetupDialog::addVariant);
    connect(m_even, &QPushButton::clicked, this, &ExperimentSetupDialog::splitEvenly);
    connect(controller, &ExperimentsController::promptsChanged, this, [this] {
        for (auto &r : m_rows) {
            const int max = [&] {
                for (const auto &p : m_controller->prompts()) {
                    if (p.name == r.prompt->currentText())
                        return int(p.latestVersion);
                }
                return 99;
            }();
            r.version->setMaximum(max);
        }
    });

    addVariant();
    addVariant();
    emit m_metric->currentIndexChanged(0);
    validate();
    m_name->setFocus();
}

QCheckBox *ExperimentSetupDialog::guardrail(Metric m) const
{
    for (const auto &[metric, box] : m_guardrails) {
        if (metric == m)
            return box;
    }
    return nullptr;
}

QSpinBox *ExperimentSetupDialog::weight(int row) const
{
    return row >= 0 && row < variantCount() ? m_rows[std::size_t(row)].weight : nullptr;
}

QComboBox *ExperimentSetupDialog::prompt(int row) const
{
    return row >= 0 && row < variantCount() ? m_rows[std::size_t(row)].prompt : nullptr;
}

QComboBox *ExperimentSetupDialog::model(int row) const
{
    return row >= 0 && row < variantCount() ? m_rows[std::size_t(row)].model : nullptr;
}

QSpinBox *ExperimentSetupDialog::version(int row) const
{
    return row >= 0 && row < variantCount() ? m_rows[std::size_t(row)].version : nullptr;
}

QLineEdit *ExperimentSetupDialog::variantId(int row) const
{
    return row >= 0 && row < variantCount() ? m_rows[std::size_t(row)].id : nullptr;
}

void ExperimentSetupDialog::addVariant()
{
    if (variantCount() >= ExperimentsController::kMaxVariants)
        return;
    Row r;
    const int i = variantCount();
    r.id = new QLineEdit(i == 0 ? QStringLiteral("control") : QString(QChar(char16_t(u'a' + i))));
    r.id->setObjectName(QStringLiteral("setupVariantId%1").arg(i));
    r.id->setMaximumWidth(110);
    r.name = new QLineEdit;
    r.name->setPlaceholderText(tr("display name"));
    r.prompt = new QComboBox;
    r.prompt->setObjectName(QStringLiteral("setupPrompt%1").arg(i));
    for (const auto &p : m_controller->prompts())
        r.prompt->addItem(p.name);
    r.prompt->setEditable(r.prompt->count() == 0);
    r.version = new QSpinBox;
    r.version->setObjectName(QStringLiteral("setupVersion%1").arg(i));
    r.version->setRange(0, 99);
    r.version->setSpecialValueText(tr("production"));
    r.version->setPrefix(tr("v"));
    r.model = new QComboBox;
    r.model->setObjectName(QStringLiteral("setupModel%1").arg(i));
    r.model->addItems(m_controller->models());
    r.model->setEditable(r.model->count() == 0);
    r.temperature = new QDoubleSpinBox;
    r.temperature->setRange(-0.1, 2.0);
    r.temperature->setSingleStep(0.1);
    r.temperature->setDecimals(1);
    r.temperature->setSpecialValueText(tr("default"));
    r.temperature->setValue(-0.1);
    r.temperature->setToolTip(tr("Sampling temperature; \"default\" keeps the model's"));
    r.weight = new QSpinBox;
    r.weight->setObjectName(QStringLiteral("setupWeight%1").arg(i));
    r.weight->setRange(0, 100);
    r.weight->setSuffix(tr(" %"));
    r.remove = new QPushButton(QIcon::fromTheme(QStringLiteral("list-remove")), tr("Remove"));
    m_rows.push_back(r);
    Row &stored = m_rows.back();
    connect(stored.id, &QLineEdit::textChanged, this, &ExperimentSetupDialog::validate);
    connect(stored.weight, &QSpinBox::valueChanged, this, &ExperimentSetupDialog::validate);
    connect(stored.model, &QComboBox::currentTextChanged, this, &ExperimentSetupDialog::validate);
    connect(stored.prompt, &QComboBox::currentTextChanged, this, [this, prompt = stored.prompt] {
        for (auto &row : m_rows) {
            if (row.prompt == prompt)
                promptChosen(row);
        }
        validate();
    });
    QPushButton *remove = stored.remove;
    connect(remove, &QPushButton::clicked, this, [this, remove] {
        for (int k = 0; k < variantCount(); ++k) {
            if (m_rows[std::size_t(k)].remove == remove) {
                removeVariant(k);
                return;
            }
        }
    });
    // Variants usually share a prompt and differ in version or model.
    if (i > 0) {
        stored.prompt->setCurrentIndex(m_rows.front().prompt->currentIndex());
        stored.model->setCurrentIndex(m_rows.front().model->currentIndex());
    }
    promptChosen(stored);
    relayoutRows();
    splitEvenly();
}

void ExperimentSetupDialog::promptChosen(Row &row)
{
    for (const auto &p : m_controller->prompts()) {
        if (p.name != row.prompt->currentText())
            continue;
        row.version->setMaximum(int(p.latestVersion));
        // A new variant tries the newest version; control keeps production (0).
        if (&row != &m_rows.front())
            row.version->setValue(int(p.latestVersion));
    }
}

void ExperimentSetupDialog::removeVariant(int row)
{
    if (variantCount() <= ExperimentsController::kMinVariants || row < 0 || row >= variantCount())
        return;
    Row r = m_rows[std::size_t(row)];
    m_rows.erase(m_rows.begin() + row);
    for (QWidget *w : std::initializer_list<QWidget *>{r.id, r.name, r.prompt, r.version, r.model,
                                                       r.temperature, r.weight, r.remove}) {
        m_grid->removeWidget(w);
        w->deleteLater();
    }
    relayoutRows();
    splitEvenly();
}

void ExperimentSetupDialog::relayoutRows()
{
    if (m_grid->count() == 0) {
        const QStringList heads = {tr("Id"),    tr("Name"),        tr("Prompt"), tr("Version"),
                                   tr("Model"), tr("Temperature"), tr("Weight")};
        for (int c = 0; c < heads.size(); ++c)
            m_grid->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(heads[c])), 0, c);
    }
    for (int i = 0; i < variantCount(); ++i) {
        const Row &r = m_rows[std::size_t(i)];
        int c = 0;
        for (QWidget *w : std::initializer_list<QWidget *>{
                 r.id, r.name, r.prompt, r.version, r.model, r.temperature, r.weight, r.remove}) {
            m_grid->removeWidget(w);
            m_grid->addWidget(w, i + 1, c++);
        }
        r.remove->setEnabled(variantCount() > ExperimentsController::kMinVariants);
    }
    m_grid->setColumnStretch(1, 3);
    m_grid->setColumnStretch(2, 2);
    m_grid->setColumnStretch(4, 2);
    m_add->setEnabled(variantCount() < ExperimentsController::kMaxVariants);
}

void ExperimentSetupDialog::splitEvenly()
{
    const int n = variantCount();
    if (n == 0)
        return;
    for (int i = 0; i < n; ++i)
        m_rows[std::size_t(i)].weight->setValue(100 / n + (i < 100 % n ? 1 : 0));
    validate();
}

Experiment ExperimentSetupDialog::draft() const
{
    Experiment e;
    e.name = m_name->text().trimmed();
    e.description = m_description->toPlainText().trimmed();
    e.route = m_route->currentText();
    e.state = ExperimentState::Draft;
    e.primaryMetric = Metric(m_metric->currentData().toInt());
    for (const auto &[m, box] : m_guardrails) {
        if (box->isChecked() && box->isEnabled())
            e.guardrails.push_back(m);
    }
    for (const Row &r : m_rows) {
        Variant v;
        v.id = r.id->text().trimmed();
        v.name = r.name->text().trimmed();
        v.promptName = r.prompt->currentText();
        v.promptVersion = quint32(r.version->value());
        v.model = r.model->currentText();
        if (r.temperature->value() >= 0)
            v.params.temperature = r.temperature->value();
        v.weight = quint32(r.weight->value());
        if (v.name.isEmpty()) {
            // "v3 on atlas-mini"; the prompt's name only when variants differ in it.
            const QString version =
                v.promptVersion ? QStringLiteral("v%1").arg(v.promptVersion) : tr("production");
            const bool samePrompt = m_rows.front().prompt->currentText() == v.promptName;
            v.name = samePrompt ? tr("%1 on %2").arg(version, v.model)
                                : tr("%1 %2 on %3").arg(v.promptName, version, v.model);
        }
        e.variants.push_back(v);
    }
    return e;
}

void ExperimentSetupDialog::validate()
{
    int total = 0;
    for (const Row &r : m_rows)
        total += r.weight->value();
    m_sum->setText(sumText(total));
    m_sum->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;")
                             .arg(total == 100 ? palette::good().name() : palette::bad().name()));
    const QString why = m_controller->validateDraft(draft());
    m_problem->setText(why);
    m_create->setEnabled(why.isEmpty());
    m_create->setToolTip(why.isEmpty() ? tr("Review it in the next step, with a reason") : why);
}

WeightsDialog::WeightsDialog(const Experiment &experiment, QWidget *parent)
    : QDialog(parent), m_experiment(experiment), m_sum(new QLabel),
      m_ok(new QPushButton(tr("Review change…")))
{
    setObjectName(QStringLiteral("weightsDialog"));
    setWindowTitle(tr("Traffic split of %1").arg(experiment.name));
    auto *layout = new QVBoxLayout(this);
    auto *note = new QLabel(tr("Weights must add up to 100 %. A running experiment keeps its "
                               "results; users are re-assigned by the sticky hash."));
    note->setWordWrap(true);
    layout->addWidget(note);
    auto *form = new QFormLayout;
    for (std::size_t i = 0; i < experiment.variants.size(); ++i) {
        const Variant &v = experiment.variants[i];
        auto *spin = new QSpinBox;
        spin->setObjectName(QStringLiteral("weight%1").arg(i));
        spin->setRange(0, 100);
        spin->setSuffix(tr(" %"));
        spin->setValue(int(v.weight));
        connect(spin, &QSpinBox::valueChanged, this, &WeightsDialog::validate);
        form->addRow(v.name.isEmpty() ? v.id : v.name, spin);
        m_spins.push_back(spin);
    }
    layout->addLayout(form);
    m_sum->setObjectName(QStringLiteral("weightSum"));
    layout->addWidget(m_sum);
    auto *buttons = new QDialogButtonBox;
    m_ok->setObjectName(QStringLiteral("weightsOk"));
    m_ok->setDefault(true);
    buttons->addButton(m_ok, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    validate();
}

std::vector<quint32> WeightsDialog::weights() const
{
    std::vector<quint32> out;
    for (auto *s : m_spins)
        out.push_back(quint32(s->value()));
    return out;
}

QSpinBox *WeightsDialog::weight(int row) const
{
    return row >= 0 && row < int(m_spins.size()) ? m_spins[std::size_t(row)] : nullptr;
}

void WeightsDialog::validate()
{
    int total = 0;
    bool changed = false;
    for (std::size_t i = 0; i < m_spins.size(); ++i) {
        total += m_spins[i]->value();
        changed = changed || quint32(m_spins[i]->value()) != m_experiment.variants[i].weight;
    }
    m_sum->setText(sumText(total));
    m_sum->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;")
                             .arg(total == 100 ? palette::good().name() : palette::bad().name()));
    m_ok->setEnabled(total == 100 && changed);
    m_ok->setToolTip(total != 100 ? sumText(total)
                     : !changed   ? tr("the weights are unchanged")
                                  : QString());
}

} // namespace sb
