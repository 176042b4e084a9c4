#include "ui/experiments/results_view.h"

#include "core/clock.h"
#include "ui/common/format.h"
#include "ui/common/palette.h"
#include "ui/common/table_setup.h"
#include "ui/experiments/results_charts.h"
#include "ui/experiments/results_controller.h"
#include "ui/experiments/results_model.h"
#include "ui/session.h"

#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

namespace sb {

namespace {

bool isProportion(Metric m)
{
    return m == Metric::SuccessRate || m == Metric::Preference || m == Metric::HallucinationRate;
}

QColor decisionColor(Analysis::Decision d)
{
    using D = Analysis::Decision;
    switch (d) {
    case D::Winner:
        return palette::good();
    case D::SplitBroken:
        return palette::bad();
    case D::WinnerBreaksGuardrail:
        return palette::warn();
    case D::ControlBest:
    case D::NoDifference:
        return QColor(0x1f, 0x77, 0xb4);
    default:
        return palette::muted();
    }
}

} // namespace

ResultsView::ResultsView(Session *session, ResultsController *controller, QWidget *parent)
    : QWidget(parent), m_session(session), m_controller(controller), m_decision(new QFrame),
      m_headline(new QLabel), m_reason(new QLabel), m_split(new QLabel), m_live(new QLabel),
      m_effectLabel(new QLabel), m_effect(new QDoubleSpinBox), m_table(new QTableView),
      m_comparisonTitle(new QLabel), m_comparison(new QTableView), m_ranking(new QLabel),
      m_charts(new ResultsCharts), m_methodsToggle(new QToolButton), m_methods(new QLabel)
{
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setSpacing(10);

    // The decision, big enough to read from the back of a meeting room.
    m_decision->setObjectName(QStringLiteral("decisionFrame"));
    auto *dl = new QVBoxLayout(m_decision);
    dl->setContentsMargins(16, 12, 16, 12);
    m_headline->setObjectName(QStringLiteral("resultsHeadline"));
    QFont hf = m_headline->font();
    hf.setPointSizeF(hf.pointSizeF() * 1.9);
    hf.setBold(true);
    m_headline->setFont(hf);
    m_headline->setWordWrap(true);
    m_reason->setObjectName(QStringLiteral("resultsReason"));
    QFont rf = m_reason->font();
    rf.setPointSizeF(rf.pointSizeF() * 1.2);
    m_reason->setFont(rf);
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dl->addWidget(m_headline);
    dl->addWidget(m_reason);
    layout->addWidget(m_decision);

    m_split->setObjectName(QStringLiteral("splitCheck"));
    m_split->setWordWrap(true);
    layout->addWidget(m_split);

    auto *controls = new QHBoxLayout;
    m_effectLabel->setText(tr("Minimum effect worth detecting:"));
    m_effect->setObjectName(QStringLiteral("minimumEffect"));
    m_effect->setDecimals(2);
    m_effect->setKeyboardTracking(false);
    m_effect->setToolTip(tr("The smallest change on the primary metric that matters to you. The "
                            "always-valid test is tuned for it, and \"needs about N more\" is "
                            "the sample that detects it with 80 % power."));
    m_live->setObjectName(QStringLiteral("resultsLive"));
    controls->addWidget(m_effectLabel);
    controls->addWidget(m_effect);
    controls->addStretch(1);
    controls->addWidget(m_live);
    layout->addLayout(controls);

    // One model, two views: the figures of each variant, then the comparison
    // with control that decides (so neither needs a horizontal scroll).
    m_comparisonTitle->setObjectName(QStringLiteral("comparisonTitle"));
    QFont st = m_comparisonTitle->font();
    st.setBold(true);
    m_comparisonTitle->setFont(st);
    auto *figuresTitle = new QLabel(tr("Per variant"));
    figuresTitle->setFont(st);
    m_table->setObjectName(QStringLiteral("resultsTable"));
    m_comparison->setObjectName(QStringLiteral("comparisonTable"));
    for (QTableView *t : {m_table, m_comparison}) {
        setupTable(t, controller->model());
        t->verticalHeader()->setVisible(false);
        QFont tf = t->font();
        tf.setPointSizeF(tf.pointSizeF() * 1.1);
        t->setFont(tf);
        t->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    }
    for (int c = 0; c < ResultsModel::NB_COLUMNS; ++c) {
        const bool comparison = c == ResultsModel::VsControl || c == ResultsModel::ChanceToBeat ||
                                c == ResultsModel::PValue || c == ResultsModel::Guardrails;
        if (c != ResultsModel::Variant) {
            m_table->setColumnHidden(c, comparison);
            m_comparison->setColumnHidden(c, !comparison);
        }
    }
    layout->addWidget(figuresTitle);
    layout->addWidget(m_table);
    layout->addWidget(m_comparisonTitle);
    layout->addWidget(m_comparison);

    m_ranking->setObjectName(QStringLiteral("voteRanking"));
    m_ranking->setWordWrap(true);
    m_ranking->setTextFormat(Qt::RichText);
    layout->addWidget(m_ranking);

    layout->addWidget(m_charts, 1);

    m_methodsToggle->setObjectName(QStringLiteral("methodsToggle"));
    m_methodsToggle->setText(tr("How these numbers are computed"));
    m_methodsToggle->setCheckable(true);
    m_methodsToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_methodsToggle->setArrowType(Qt::RightArrow);
    m_methodsToggle->setAutoRaise(true);
    m_methods->setObjectName(QStringLiteral("methodsText"));
    m_methods->setWordWrap(true);
    m_methods->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_methods->hide();
    connect(m_methodsToggle, &QToolButton::toggled, this, [this](bool on) {
        m_methods->setVisible(on);
        m_methodsToggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });
    layout->addWidget(m_methodsToggle);
    layout->addWidget(m_methods);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    connect(m_effect, &QDoubleSpinBox::valueChanged, this, [this](double shown) {
        const Metric m = m_controller->analysis().primary;
        const double effect = m == Metric::Rating ? shown : shown / 100.0;
        if (std::abs(effect - m_controller->analysis().minimumEffect) > 1e-9)
            m_controller->setMinimumEffect(effect);
    });
    connect(controller, &ResultsController::analysisChanged, this, &ResultsView::refresh);
    connect(controller, &ResultsController::rankingChanged, this, &ResultsView::refreshRanking);
    connect(controller, &ResultsController::freshnessChanged, this, &ResultsView::updateFreshness);
    connect(controller->model(), &QAbstractItemModel::modelReset, this, &ResultsView::fitTables);
    refresh();
    refreshRanking();
}

void ResultsView::refreshEffect()
{
    const Analysis &a = m_controller->analysis();
    const QSignalBlocker block(m_effect);
    if (a.primary == Metric::Rating) {
        m_effect->setRange(0.05, 2.0);
        m_effect->setSingleStep(0.05);
        m_effect->setSuffix(tr(" points"));
        m_effect->setValue(a.minimumEffect);
    } else {
        const bool pp = isProportion(a.primary);
        m_effect->setRange(pp ? 0.05 : 0.5, pp ? 50 : 100);
        m_effect->setSingleStep(pp ? 0.1 : 1);
        m_effect->setSuffix(pp ? tr(" pp") : tr(" %"));
        m_effect->setValue(a.minimumEffect * 100);
    }
    m_effectLabel->setText(tr("Minimum %1 effect worth detecting:").arg(toString(a.primary)));
}

void ResultsView::refresh()
{
    const Analysis &a = m_controller->analysis();
    const Experiment &e = m_controller->experiment();
    if (e.id.isEmpty()) {
        m_headline->setText(tr("Select an experiment"));
        m_reason->setText(tr("Its live results, the decision and the charts show here."));
        m_split->clear();
    } else {
        m_headline->setText(a.headline.isEmpty() ? tr("Waiting for results…") : a.headline);
        m_reason->setText(a.reason);
        if (a.srmMismatch) {
            m_split->setText(tr("⚠ SAMPLE RATIO MISMATCH: the observed split does not match the "
                                "weights (χ² p = %1). Every number below is suspect.")
                                 .arg(a.srm.pValue, 0, 'g', 2));
            m_split->setStyleSheet(QStringLiteral("QLabel { background: %1; color: white; "
                                                  "font-weight: bold; padding: 6px; "
                                                  "border-radius: 3px; }")
                                       .arg(palette::bad().name()));
        } else if (a.srmChecked) {
            m_split->setText(tr("Split check: exposures match the weights (χ² test, p = %1; "
                                "alarm below %2).")
                                 .arg(a.srm.pValue, 0, 'g', 2)
                                 .arg(m_controller->settings().srmAlpha));
            m_split->setStyleSheet({});
        } else {
            m_split->setText(tr("Split check: waiting for %1 exposures.")
                                 .arg(m_controller->settings().srmMinTotal));
            m_split->setStyleSheet({});
        }
    }
    const QColor c = decisionColor(a.decision);
    QColor bg = c;
    bg.setAlpha(38);
    m_decision->setStyleSheet(
        QStringLiteral("QFrame#decisionFrame { border: 2px solid %1; border-radius: 6px; "
                       "background: rgba(%2, %3, %4, %5); }")
            .arg(c.name())
            .arg(bg.red())
            .arg(bg.green())
            .arg(bg.blue())
            .arg(bg.alpha()));
    m_headline->setStyleSheet(QStringLiteral("color: %1;")
                                  .arg(a.decision == Analysis::Decision::NoData ||
                                               a.decision == Analysis::Decision::NotEnoughData ||
                                               a.decision == Analysis::Decision::NoWinnerYet
                                           ? palette().text().color().name()
                                           : c.darker(115).name()));
    refreshEffect();
    m_methods->setText(e.id.isEmpty() ? QString() : methodsText(a, m_controller->settings()));
    m_charts->update(e, m_controller->results(), a, m_controller->history());
    m_comparisonTitle->setText(
        tr("Against control on %1 (the primary metric: this decides)").arg(toString(a.primary)));
    fitTables();
    updateFreshness();
}

void ResultsView::fitTables()
{
    for (QTableView *t : {m_table, m_comparison}) {
        fitColumns(t, 60, 240);
        int h = t->horizontalHeader()->sizeHint().height() + 2 * t->frameWidth();
        for (int r = 0; r < t->model()->rowCount(); ++r)
            h += t->rowHeight(r);
        if (t->horizontalScrollBar()->isVisible())
            h += t->horizontalScrollBar()->sizeHint().height();
        t->setFixedHeight(std::max(h, t->horizontalHeader()->sizeHint().height() * 2));
    }
}

void ResultsView::refreshRanking()
{
    const VoteRanking &r = m_controller->ranking();
    if (m_controller->experiment().id.isEmpty() || r.votes == 0) {
        m_ranking->setText(tr("<i>Arena votes cast on this console are ranked here "
                              "(Bradley–Terry) once there are some.</i>"));
        return;
    }
    const int ref = std::max(0, int(r.variantIds.indexOf(QStringLiteral("control"))));
    QStringList parts;
    for (int i = 0; i < int(r.variantIds.size()); ++i) {
        if (i == ref)
            continue;
        if (!std::isfinite(r.model.standardError[std::size_t(i)])) {
            parts << tr("%1: not compared yet").arg(r.names[i].toHtmlEscaped());
            continue;
        }
        const auto ci = r.model.interval(i);
        auto p = [](double d) { return 100.0 / (1 + std::exp(-d)); };
        parts << tr("<b>%1</b> beats %2 in %3 % of head-to-heads (95 %: %4–%5 %)")
                     .arg(r.names[i].toHtmlEscaped(), r.names[ref].toHtmlEscaped())
                     .arg(p(r.model.logStrength[std::size_t(i)]), 0, 'f', 0)
                     .arg(p(ci.lo), 0, 'f', 0)
                     .arg(p(ci.hi), 0, 'f', 0);
    }
    m_ranking->setText(
        tr("Arena votes on this console (%n voted run(s), Bradley–Terry): ", nullptr, r.votes) +
        parts.join(QStringLiteral("; ")) + QLatin1Char('.'));
}

void ResultsView::updateFreshness()
{
    const Freshness f = m_controller->freshness();
    if (m_controller->experiment().id.isEmpty()) {
        m_live->clear();
        return;
    }
    if (f.live) {
        m_live->setText(tr("● live · updated %1").arg(formatAge(clock::nowMs() - f.fetchedMs)));
        m_live->setStyleSheet(QStringLiteral("color: %1;").arg(palette::good().name()));
    } else if (f.fetchedMs > 0) {
        m_live->setText(
            tr("○ not live: numbers from %1").arg(formatAge(clock::nowMs() - f.fetchedMs)));
        m_live->setStyleSheet(QStringLiteral("color: %1;").arg(palette::warn().name()));
    } else {
        m_live->setText(m_session->isReady() ? tr("waiting for the first results…")
                                             : tr("○ offline: results need the service"));
        m_live->setStyleSheet(QStringLiteral("color: %1;").arg(palette::muted().name()));
    }
}

} // namespace sb
