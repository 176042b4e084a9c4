#include "ui/routing/routing_model.h"

#include "core/clock.h"
#include "ui/common/format.h"
#include "ui/common/palette.h"

#include <QDateTime>
#include <QFont>

namespace sb {

// Internal id: 0 for a route row, route index + 1 for a chain step row.

static bool sameShape(const RoutingTable &a, const RoutingTable &b)
{
    if (a.routes.size() != b.routes.size())
        return false;
    for (std::size_t i = 0; i < a.routes.size(); ++i) {
        if (a.routes[i].name != b.routes[i].name ||
            a.routes[i].fallbacks.size() != b.routes[i].fallbacks.size())
            return false;
    }
    return true;
}

static QString stepModel(const Route &r, int step)
{
    return step == 0 ? r.primaryModel : r.fallbacks[std::size_t(step - 1)].model;
}

void RoutingModel::emitAllChanged(int firstColumn, int lastColumn)
{
    if (m_table.routes.empty())
        return;
    const int last = int(m_table.routes.size()) - 1;
    emit dataChanged(index(0, firstColumn), index(last, lastColumn));
    for (int r = 0; r <= last; ++r) {
        const QModelIndex p = index(r, 0);
        const int n = rowCount(p);
        if (n > 0)
            emit dataChanged(index(0, firstColumn, p), index(n - 1, lastColumn, p));
    }
}

void RoutingModel::setTable(RoutingTable table)
{
    if (m_nowMs == 0)
        m_nowMs = clock::nowMs();
    if (sameShape(m_table, table)) {
        m_table = std::move(table);
        emitAllChanged(0, NB_COLUMNS - 1);
        return;
    }
    beginResetModel();
    m_table = std::move(table);
    endResetModel();
}

void RoutingModel::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    emitAllChanged(Enabled, Circuit);
    emitAllChanged(LastChange, LastChange);
}

const Model *RoutingModel::model(const QString &name) const
{
    for (const auto &m : m_table.models) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

const Route *RoutingModel::routeAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const std::size_t r =
        index.internalId() == kRouteLevel ? std::size_t(index.row()) : index.internalId() - 1;
    return r < m_table.routes.size() ? &m_table.routes[r] : nullptr;
}

QModelIndex RoutingModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= NB_COLUMNS)
        return {};
    if (!parent.isValid()) {
        if (row >= int(m_table.routes.size()))
            return {};
        return createIndex(row, column, kRouteLevel);
    }
    if (parent.internalId() != kRouteLevel || parent.row() >= int(m_table.routes.size()))
        return {};
    const auto &route = m_table.routes[std::size_t(parent.row())];
    if (row > int(route.fallbacks.size()))
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex RoutingModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kRouteLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kRouteLevel);
}

int RoutingModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_table.routes.size());
    if (parent.internalId() != kRouteLevel || parent.column() != 0)
        return 0;
    return 1 + int(m_table.routes[std::size_t(parent.row())].fallbacks.size());
}

int RoutingModel::columnCount(const QModelIndex &) const
{
    return NB_COLUMNS;
}

namespace {

struct Share
{
    double s10 = 0;
    double s60 = 0;
};

Share shareOf(const Route &r, const QString &model, ServedReason only = ServedReason::Unspecified)
{
    Share s;
    for (const auto &x : r.recentlyServed) {
        if ((!model.isEmpty() && x.model != model) ||
            (only != ServedReason::Unspecified && x.reason != only))
            continue;
        s.s10 += x.fraction10s;
        s.s60 += x.fraction;
    }
    return s;
}

// "as primary 78 %", "as fallback after atlas-xl 20 %", "as variant exp-1/concise 20 %".
QString whyOf(const Route &r, const QString &model)
{
    QStringList parts;
    for (const auto &x : r.recentlyServed) {
        if ((!model.isEmpty() && x.model != model) || x.fraction <= 0)
            continue;
        QString what;
        switch (x.reason) {
        case ServedReason::Primary:
            what = RoutingModel::tr("as primary");
            break;
        case ServedReason::Fallback:
            what = x.afterModel.isEmpty()
                       ? RoutingModel::tr("as fallback")
                       : RoutingModel::tr("as fallback after %1").arg(x.afterModel);
            break;
        case ServedReason::Variant:
            what = RoutingModel::tr("as variant %1/%2").arg(x.experimentId, x.variantId);
            break;
        case ServedReason::Unspecified:
            what = RoutingModel::tr("(reason not reported)");
            break;
        }
        if (model.isEmpty())
            what = x.model + QLatin1Char(' ') + what;
        parts << QStringLiteral("%1 %2").arg(what, formatPercent(x.fraction, 0));
    }
    return parts.join(QStringLiteral("; "));
}

// "alice · 4 min ago": who and how long ago read at a glance; the exact
// time is in the tooltip.
QString lastChange(qint64 ms, const QString &by, qint64 nowMs)
{
    if (ms <= 0)
        return {};
    const QString age = formatAge(nowMs - ms);
    return by.isEmpty() ? age : QStringLiteral("%1 · %2").arg(by, age);
}

} // namespace

int RoutingModel::stepTrouble(const Route &r, const QString &modelName) const
{
    const Model *m = model(modelName);
    int level = 0;
    if (m && m->circuit == CircuitState::Open)
        level = 2;
    if (m && m->recentErrorRate > kErrorRateThreshold)
        level = 2;
    if (level < 1 && shareOf(r, modelName, ServedReason::Fallback).s10 > kFallbackShareThreshold)
        level = 1;
    if (level < 1 && m && m->circuit == CircuitState::HalfOpen)
        level = 1;
    return level;
}

int RoutingModel::routeTrouble(const Route &r, QStringList *why, QStringList *keys) const
{
    int level = 0;
    const int steps = 1 + int(r.fallbacks.size());
    for (int k = 0; k < steps; ++k) {
        const QString name = stepModel(r, k);
        const Model *m = model(name);
        // A disabled fallback step that nobody uses is not trouble; its model
        // circuit state still is, if the step could serve.
        const bool canServe = k == 0 ? !r.primaryBypassed : r.fallbacks[std::size_t(k - 1)].enabled;
        if (!canServe)
            continue;
        const int t = stepTrouble(r, name);
        if (t > 0 && keys) {
            const char *kind = m && m->circuit == CircuitState::Open           ? "circuit-open"
                               : m && m->recentErrorRate > kErrorRateThreshold ? "errors"
                               : m && m->circuit == CircuitState::HalfOpen     ? "half-open"
                                                                               : "fallback";
            *keys << r.name + QLatin1Char('/') + name + QLatin1Char('/') + QLatin1String(kind);
        }
        if (t > 0 && why) {
            if (m && m->circuit == CircuitState::Open)
                *why << tr("%1: circuit open on %2").arg(r.name, name);
            else if (m && m->recentErrorRate > kErrorRateThreshold)
                *why << tr("%1: %2 errors on %3")
                            .arg(r.name, formatPercent(m->recentErrorRate), name);
            else if (m && m->circuit == CircuitState::HalfOpen)
                *why << tr("%1: circuit half-open on %2").arg(r.name, name);
            else
                *why << tr("%1: fallback %2 serving %3")
                            .arg(r.name, name,
                                 formatPercent(shareOf(r, name, ServedReason::Fallback).s10, 0));
        }
        level = std::max(level, t);
    }
    return level;
}

RoutingTrouble RoutingModel::trouble() const
{
    RoutingTrouble t;
    for (const auto &r : m_table.routes) {
        if (routeTrouble(r, &t.reasons, &t.keys) > 0)
            ++t.rows;
    }
    return t;
}

QVariant RoutingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    const Route *r = routeAt(index);
    if (!r)
        return {};
    if (index.internalId() == kRouteLevel)
        return routeData(*r, index.column(), role);
    return stepData(*r, index.row(), index.column(), role);
}

QVariant RoutingModel::routeData(const Route &r, int column, int role) const
{
    switch (role) {
    case KeyRole:
        return r.name;
    case StepRole:
        return -1;
    case TroubleRole:
        return routeTrouble(r);
    case Qt::FontRole: {
        QFont f;
        f.setBold(true);
        return f;
    }
    case Qt::BackgroundRole: {
        const int t = routeTrouble(r);
        return t == 2   ? QVariant(palette::badRow())
               : t == 1 ? QVariant(palette::warnRow())
                        : QVariant();
    }
    case Qt::ToolTipRole: {
        if (column == LastChange && r.updatedMs > 0)
            return formatTime(r.updatedMs);

        QStringList why;
        routeTrouble(r, &why);
        return why.isEmpty() ? QVariant() : QVariant(why.join(QLatin1Char('\n')));
    }
    case Qt::UserRole:
        if (column == Served)
            return shareOf(r, {}, ServedReason::Fallback).s10;
        if (column == LastChange)
            return r.updatedMs;
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case Name:
        return r.name;
    case Step: {
        QStringList chain{r.primaryModel};
        for (const auto &f : r.fallbacks)
            chain << f.model;
        return chain.join(QStringLiteral(" → "));
    }
    case Enabled:
        if (r.primaryBypassed) {
            return r.primaryBypassRevertMs > 0
                       ? tr("forced to fallbacks · reverts in %1")
                             .arg(formatDuration(r.primaryBypassRevertMs - m_nowMs))
                       : tr("forced to fallbacks");
        }
        {
            const double fb = shareOf(r, {}, ServedReason::Fallback).s10;
            return fb >= 0.005 ? tr("fallbacks serve %1").arg(formatPercent(fb, 0)) : tr("normal");
        }
    case Served:
        return QString(); // per model, on the rows below; the route's fallback share is in Serving
    case Why:
        return whyOf(r, {});
    case LastChange:
        return lastChange(r.updatedMs, r.updatedBy, m_nowMs);
    default:
        return {};
    }
}

QVariant RoutingModel::stepData(const Route &r, int step, int column, int role) const
{
    const QString modelName = stepModel(r, step);
    const bool stepEnabled =
        step == 0 ? !r.primaryBypassed : r.fallbacks[std::size_t(step - 1)].enabled;
    const qint64 stepRevertMs =
        step == 0 ? r.primaryBypassRevertMs : r.fallbacks[std::size_t(step - 1)].revertMs;
    const Model *m = model(modelName);
    const bool modelEnabled = m ? m->enabled : true;
    const Share share = shareOf(r, modelName);
    switch (role) {
    case KeyRole:
        return r.name + QLatin1Char('/') + modelName;
    case StepRole:
        return step;
    case TroubleRole:
        return stepEnabled ? stepTrouble(r, modelName) : 0;
    case Qt::BackgroundRole: {
        const int t = stepEnabled ? stepTrouble(r, modelName) : 0;
        return t == 2   ? QVariant(palette::badRow())
               : t == 1 ? QVariant(palette::warnRow())
                        : QVariant();
    }
    case Qt::ForegroundRole:
        if (column == Circuit && m && m->circuit == CircuitState::Open)
            return palette::bad();
        if (column == Circuit && m && m->circuit == CircuitState::HalfOpen)
            return palette::warn();
        if (column == ErrorRate && m && m->recentErrorRate > kErrorRateThreshold)
            return palette::bad();
        if (!stepEnabled || !modelEnabled)
            return palette::muted();
        return {};
    case Qt::UserRole:
        if (column == Served)
            return share.s10;
        if (column == ErrorRate)
            return m ? m->recentErrorRate : 0.0;
        if (column == Step)
            return step;
        return {};
    case Qt::ToolTipRole:
        if (column == Circuit && m && m->circuit == CircuitState::Open && m->cooldownUntilMs > 0)
            return tr("Open: skipped until %1, then half-open to probe recovery")
                .arg(formatClock(m->cooldownUntilMs));
        if (column == Enabled)
            return tr("Space or Enter toggles this step (a primary: the model everywhere)");
        if (column == LastChange) {
            const qint64 ms = step > 0 ? r.updatedMs : (m ? m->updatedMs : 0);
            return ms > 0 ? QVariant(formatTime(ms)) : QVariant();
        }
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case Name:
        return modelName;
    case Step:
        return step == 0 ? tr("primary") : tr("fallback %1").arg(step);
    case Enabled: {
        // A timed change says when it undoes itself: on-call needs to know.
        const qint64 modelRevert = m ? m->revertMs : 0;
        QString text;
        qint64 revert = 0;
        if (!modelEnabled) {
            text = tr("model disabled");
            revert = modelRevert;
        } else if (!stepEnabled) {
            text = step == 0 ? tr("bypassed") : tr("disabled");
            revert = stepRevertMs;
        } else {
            text = tr("enabled");
            revert = stepRevertMs > 0 ? stepRevertMs : modelRevert;
        }
        if (revert > 0)
            text += tr(" · reverts in %1").arg(formatDuration(revert - m_nowMs));
        return text;
    }
    case Circuit:
        if (!m)
            return QString();
        if (m->circuit == CircuitState::Open && m->cooldownUntilMs > m_nowMs)
            return tr("open · %1").arg(formatDuration(m->cooldownUntilMs - m_nowMs));
        return toString(m->circuit);
    case Served:
        return QStringLiteral("%1 / %2").arg(formatPercent(share.s10, 0),
                                             formatPercent(share.s60, 0));
    case Why:
        return whyOf(r, modelName);
    case ErrorRate:
        return m ? formatPercent(m->recentErrorRate) : QString();
    case LastChange:
        if (step > 0)
            return lastChange(r.updatedMs, r.updatedBy, m_nowMs);
        return m ? lastChange(m->updatedMs, m->updatedBy, m_nowMs) : QString();
    }
    return {};
}

QVariant RoutingModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Name:
            return tr("The route, and under it the models of its chain in the order tried");
        case Step:
            return tr("Where the model sits in the chain: the primary is tried first, then "
                      "each enabled fallback in order");
        case Enabled:
            return tr("Whether this step may serve; a timed change shows when it reverts");
        case Circuit:
            return tr("The model's circuit breaker: open means it is skipped until the "
                      "cooldown ends, then half-open lets a few requests probe it");
        case Served:
            return tr("Share of the route's requests this model served over the last 10 s "
                      "and the last minute (the route's share served by fallbacks is in "
                      "Serving)");
        case Why:
            return tr("Why the model served: as the primary, as a fallback after another "
                      "model failed or was skipped, or as an experiment's variant");
        case ErrorRate:
            return tr("The model's error rate over the last minute");
        case LastChange:
            return tr("Who last changed this, and when");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Route / model");
    case Step:
        return tr("Chain");
    case Enabled:
        return tr("Serving");
    case Circuit:
        return tr("Circuit");
    case Served:
        return tr("Served 10 s / 1 min");
    case Why:
        return tr("Why");
    case ErrorRate:
        return tr("Errors 1 min");
    case LastChange:
        return tr("Last change");
    }
    return {};
}

} // namespace sb
