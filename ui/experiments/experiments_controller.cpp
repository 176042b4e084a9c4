#include "ui/experiments/experiments_controller.h"

#include "client/experiments_client.h"
#include "client/prompts_client.h"
#include "core/clock.h"
#include "store/cache.h"
#include "ui/common/action_log.h"
#include "ui/common/format.h"
#include "ui/experiments/arena_controller.h"
#include "ui/experiments/results_controller.h"

#include <QDateTime>
#include <QRegularExpression>
#include <set>

namespace sb {

namespace {

qint64 nowMs()
{
    return clock::nowMs();
}

QString weightsText(const std::vector<Variant> &variants)
{
    QStringList parts;
    for (const auto &v : variants)
        parts << QString::number(v.weight);
    return parts.join(QLatin1Char('/'));
}

QString splitText(const std::vector<Variant> &variants)
{
    quint64 total = 0;
    for (const auto &v : variants)
        total += v.weight;
    QStringList parts;
    for (const auto &v : variants)
        parts << QStringLiteral("%1 %2").arg(
            v.name.isEmpty() ? v.id : v.name,
            formatPercent(total ? double(v.weight) / double(total) : 0.0, 0));
    return parts.join(QStringLiteral(", "));
}

LocalAction actionOf(const Change &c, const QString &outcome, const QString &detail)
{
    LocalAction a;
    a.requestId = c.requestId;
    a.timeMs = nowMs();
    a.target = c.target();
    a.title = c.title();
    a.oldValue = c.oldValue;
    a.newValue = c.newValue;
    a.reason = c.reason;
    a.outcome = outcome;
    a.detail = detail;
    return a;
}

} // namespace

ExperimentsController::ExperimentsController(Session *session, ActionLog *actions, QObject *parent)
    : QObject(parent), m_session(session), m_actions(actions),
      m_client(new ExperimentsClient(session->connection(), this)),
      m_promptsClient(new PromptsClient(session->connection(), this)),
      m_results(new ResultsController(session, this)),
      m_arena(new ArenaController(session, m_client, this))
{
    connect(m_client, &ExperimentsClient::experimentsListed, this,
            [this](const std::vector<Experiment> &experiments) {
                const qint64 now = nowMs();
                setExperiments(experiments);
                m_fresh = {now, true};
                m_session->noteAuthorised();
                if (auto *cache = m_session->cache())
                    cache->saveExperiments(m_session->endpointKey(), experiments, now);
                emit freshnessChanged();
            });
    connect(m_client, &ExperimentsClient::failed, m_session, &Session::reportFailure);
    connect(m_client, &ExperimentsClient::experimentUpdated, this, [this](const Experiment &e) {
        m_lastUpdated = e; // changeApplied follows at once with the change it was for
        upsert(e);
    });
    connect(m_client, &ExperimentsClient::changeApplied, this, &ExperimentsController::onApplied);
    connect(m_client, &ExperimentsClient::changeFailed, this, &ExperimentsController::onFailed);
    connect(m_promptsClient, &PromptsClient::promptsListed, this,
            [this](const std::vector<Prompt> &prompts) {
                m_prompts = prompts;
                emit promptsChanged();
                updateArenaVariables();
            });
    connect(m_promptsClient, &PromptsClient::versionsListed, this,
            [this](const QString &prompt, const std::vector<PromptVersion> &versions) {
                m_versions.insert(prompt, versions);
                emit promptsChanged();
                updateArenaVariables();
            });
    connect(m_arena, &ArenaController::historyLoaded, m_results, &ResultsController::setVotes);
    connect(m_arena, &ArenaController::message, m_session, &Session::message);
    if (m_actions) {
        connect(m_actions, &ActionLog::recorded, this,
                [this](const QString &requestId, bool ok, const QString &error) {
                    auto it = m_inFlight.find(requestId);
                    if (it == m_inFlight.end())
                        return;
                    const Change c = it.value();
                    m_inFlight.erase(it);
                    const Experiment e = m_appliedResult.take(requestId);
                    if (!ok) {
                        emit m_session->message(tr("%1 was applied by the service, but the local "
                                                   "action log could not record it: %2")
                                                    .arg(c.title(), error));
                    }
                    emit changeSucceeded(c, e);
                });
    }
    connect(m_session, &Session::snapshotLoaded, this, [this](const CacheSnapshot &s) {
        if (m_fresh.live)
            return;
        if (s.experimentsFetchedMs > 0) {
            setExperiments(s.experiments);
            m_fresh.fetchedMs = s.experimentsFetchedMs;
        }
        if (!s.prompts.empty() && m_prompts.empty()) {
            m_prompts = s.prompts;
            for (auto it = s.versions.begin(); it != s.versions.end(); ++it)
                m_versions.insert(it.key(), it.value());
            emit promptsChanged();
        }
        if (m_routing.routes.empty() && s.routingFetchedMs > 0)
            setRoutingTable(s.routing);
        updateArenaVariables();
        emit freshnessChanged();
    });
    connect(m_session, &Session::connected, this, [this] {
        refresh();
        m_promptsClient->listPrompts();
    });
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_fresh = {};
        m_inFlight.clear();
        m_appliedResult.clear();
        m_selected.clear();
        m_prompts.clear();
        m_versions.clear();
        m_routing = {};
        m_model.setExperiments({});
        emit selectionChanged();
    });
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_session->isReady())
            refresh();
    });
    m_timer.start();
}

void ExperimentsController::refresh()
{
    m_client->listExperiments();
}

Freshness ExperimentsController::freshness() const
{
    return {m_fresh.fetchedMs, m_fresh.live && m_session->isReady()};
}

void ExperimentsController::setExperiments(const std::vector<Experiment> &experiments)
{
    m_model.setExperiments(experiments);
    if (!m_selected.isEmpty()) {
        if (const Experiment *e = experiment(m_selected)) {
            m_results->setExperiment(*e);
            m_arena->setExperiment(*e);
            return;
        }
        m_selected.clear();
        m_results->setExperiment({});
        m_arena->setExperiment({});
        emit selectionChanged();
    }
}

void ExperimentsController::upsert(const Experiment &e)
{
    std::vector<Experiment> all;
    bool found = false;
    for (int i = 0; i < m_model.rowCount(); ++i) {
        const Experiment *x = m_model.experimentAt(i);
        if (x->id == e.id) {
            all.push_back(e);
            found = true;
        } else {
            all.push_back(*x);
        }
    }
    if (!found)
        all.insert(all.begin(), e); // newest first, like the service lists them
    setExperiments(all);
    if (m_session->cache() && m_fresh.live)
        m_session->cache()->saveExperiments(m_session->endpointKey(), all, nowMs());
}

const Experiment *ExperimentsController::experiment(const QString &id) const
{
    for (int i = 0; i < m_model.rowCount(); ++i) {
        const Experiment *e = m_model.experimentAt(i);
        if (e->id == id)
            return e;
    }
    return nullptr;
}

void ExperimentsController::select(const QString &experimentId)
{
    if (experimentId == m_selected)
        return;
    m_selected = experimentId;
    const Experiment *e = experiment(experimentId);
    m_results->setExperiment(e ? *e : Experiment{});
    m_arena->setExperiment(e ? *e : Experiment{});
    if (e) {
        std::set<QString> prompts;
        for (const auto &v : e->variants)
            prompts.insert(v.promptName);
        for (const auto &p : prompts) {
            if (!m_versions.contains(p) && m_session->isReady())
                loadVersions(p);
        }
    }
    updateArenaVariables();
    emit selectionChanged();
}

const Experiment *ExperimentsController::selected() const
{
    return experiment(m_selected);
}

void ExperimentsController::loadVersions(const QString &prompt)
{
    m_promptsClient->listVersions(prompt);
}

const std::vector<PromptVersion> &ExperimentsController::versions(const QString &prompt) const
{
    static const std::vector<PromptVersion> none;
    auto it = m_versions.find(prompt);
    return it == m_versions.end() ? none : it.value();
}

void ExperimentsController::updateArenaVariables()
{
    const Experiment *e = selected();
    std::vector<PromptVariable> vars;
    if (e) {
        for (const auto &v : e->variants) {
            quint32 version = v.promptVersion;
            if (version == 0) {
                // 0 means what `production` points at.
                for (const auto &p : m_prompts) {
                    if (p.name != v.promptName)
                        continue;
                    version = p.latestVersion;
                    for (const auto &l : p.labels) {
                        if (l.name == QLatin1String("production"))
                            version = l.version;
                    }
                }
            }
            for (const auto &pv : versions(v.promptName)) {
                if (pv.version != version)
                    continue;
                for (const auto &d : pv.variables) {
                    auto it = std::find_if(vars.begin(), vars.end(), [&](const PromptVariable &x) {
                        return x.name == d.name;
                    });
                    if (it == vars.end())
                        vars.push_back(d);
                    else
                        it->required = it->required || d.required;
                }
            }
        }
    }
    m_arena->setVariables(vars);
}

void ExperimentsController::setRoutingTable(const RoutingTable &table)
{
    m_routing = table;
    m_arena->setModels(table.models);
}

QStringList ExperimentsController::routes() const
{
    QStringList out;
    for (const auto &r : m_routing.routes)
        out << r.name;
    return out;
}

QStringList ExperimentsController::models() const
{
    QStringList out;
    for (const auto &m : m_routing.models)
        out << m.name;
    return out;
}

QString ExperimentsController::writeBlockedReason() const
{
    const QString why = m_session->writeBlockedReason(m_fresh.fetchedMs);
    if (!why.isEmpty())
        return why;
    if (!m_fresh.live)
        return tr("waiting for the service's experiment list");
    return {};
}

std::optional<Change> ExperimentsController::stateChangeFor(ExperimentState target,
                                                            QString *why) const
{
    const Experiment *e = selected();
    auto no = [&](const QString &text) {
        if (why)
            *why = text;
        return std::nullopt;
    };
    if (!e)
        return no(tr("select an experiment"));
    const ExperimentState from = e->state;
    bool legal = false;
    switch (target) {
    case ExperimentState::Running:
        legal = from == ExperimentState::Draft || from == ExperimentState::Paused;
        break;
    case ExperimentState::Paused:
        legal = from == ExperimentState::Running;
        break;
    case ExperimentState::Stopped:
        legal = from == ExperimentState::Running || from == ExperimentState::Paused;
        break;
    default:
        break;
    }
    if (!legal) {
        if (from == ExperimentState::Stopped)
            return no(tr("%1 is stopped, which is final").arg(e->name));
        if (from == target)
            return no(tr("%1 is already %2").arg(e->name, toString(from)));
        return no(tr("a %1 experiment cannot be %2")
                      .arg(toString(from), target == ExperimentState::Running  ? tr("started")
                                           : target == ExperimentState::Paused ? tr("paused")
                                                                               : tr("stopped")));
    }
    if (target == ExperimentState::Running) {
        for (int i = 0; i < m_model.rowCount(); ++i) {
            const Experiment *o = m_model.experimentAt(i);
            if (o->id != e->id && o->route == e->route && o->state == ExperimentState::Running)
                return no(tr("%1 is already running on route %2; pause or stop it first")
                              .arg(o->name, e->route));
        }
    }
    Change c;
    c.kind = ChangeKind::ExperimentState;
    c.object = e->id;
    c.experiment.name = e->name;
    c.experimentState = target;
    c.expectedEtag = e->etag;
    c.requestId = Change::newRequestId();
    c.oldValue = toString(from);
    c.newValue = toString(target);
    return c;
}

std::optional<Change> ExperimentsController::weightsChangeFor(const std::vector<quint32> &weights,
                                                              QString *why) const
{
    const Experiment *e = selected();
    auto no = [&](const QString &text) {
        if (why)
            *why = text;
        return std::nullopt;
    };
    if (!e)
        return no(tr("select an experiment"));
    if (e->state == ExperimentState::Stopped)
        return no(tr("%1 is stopped; its split is final").arg(e->name));
    if (weights.size() != e->variants.size())
        return no(tr("one weight per variant is needed"));
    quint64 total = 0;
    for (quint32 w : weights)
        total += w;
    if (total != 100)
        return no(tr("weights must add up to 100 % (they add up to %1 %)").arg(total));
    Change c;
    c.kind = ChangeKind::ExperimentWeights;
    c.object = e->id;
    c.expectedEtag = e->etag;
    c.requestId = Change::newRequestId();
    c.experiment = *e;
    bool changed = false;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        changed = changed || c.experiment.variants[i].weight != weights[i];
        c.experiment.variants[i].weight = weights[i];
    }
    if (!changed)
        return no(tr("the weights are unchanged"));
    c.oldValue = weightsText(e->variants);
    c.newValue = weightsText(c.experiment.variants);
    return c;
}

QString ExperimentsController::validateDraft(const Experiment &d) const
{
    if (d.name.trimmed().isEmpty())
        return tr("Give the experiment a name.");
    if (d.route.isEmpty())
        return tr("Choose the route whose traffic it splits.");
    if (int(d.variants.size()) < kMinVariants || int(d.variants.size()) > kMaxVariants)
        return tr("An experiment needs %1 to %2 variants.").arg(kMinVariants).arg(kMaxVariants);
    static const QRegularExpression idRe(QStringLiteral("^[a-z0-9_-]{1,32}$"));
    std::set<QString> ids;
    quint64 total = 0;
    for (std::size_t i = 0; i < d.variants.size(); ++i) {
        const Variant &v = d.variants[i];
        const QString which = tr("Variant %1").arg(i + 1);
        if (!idRe.match(v.id).hasMatch())
            return tr("%1: its id must be 1–32 lowercase letters, digits, '-' or '_'.").arg(which);
        if (!ids.insert(v.id).second)
            return tr("%1: id %2 is used twice.").arg(which, v.id);
        if (v.promptName.isEmpty())
            return tr("%1: choose a prompt.").arg(which);
        if (v.model.isEmpty())
            return tr("%1: choose a model.").arg(which);
        total += v.weight;
    }
    if (total != 100)
        return tr("Weights must add up to 100 % (they add up to %1 %).").arg(total);
    if (d.primaryMetric == Metric::Unspecified)
        return tr("Choose the primary metric that decides the winner.");
    for (Metric g : d.guardrails) {
        if (g == d.primaryMetric)
            return tr("%1 is the primary metric; it cannot also be a guardrail.").arg(toString(g));
    }
    return {};
}

Change ExperimentsController::createChangeFor(const Experiment &draft) const
{
    Change c;
    c.kind = ChangeKind::ExperimentCreate;
    c.object = draft.name.trimmed();
    c.experiment = draft;
    c.experiment.name = c.object;
    c.requestId = Change::newRequestId();
    c.oldValue = tr("(none)");
    c.newValue = tr("draft on route %1: %2").arg(draft.route, splitText(draft.variants));
    return c;
}

QString ExperimentsController::impactOf(const Change &c) const
{
    const Experiment *e = experiment(c.object);
    switch (c.kind) {
    case ChangeKind::ExperimentState:
        if (!e)
            return {};
        switch (c.experimentState) {
        case ExperimentState::Running:
            return tr("Route %1's requests are split between the variants by a sticky hash of "
                      "the user id: %2. Variant traffic tries the variant's model first, then "
                      "the route's fallbacks.")
                .arg(e->route, splitText(e->variants));
        case ExperimentState::Paused:
            return tr("Route %1 goes back to its primary model for all requests; results so "
                      "far are kept and the experiment can be started again.")
                .arg(e->route);
        case ExperimentState::Stopped:
            return tr("Final: route %1 goes back to its primary model, the results freeze and "
                      "the experiment can never run again.")
                .arg(e->route);
        default:
            return {};
        }
    case ChangeKind::ExperimentWeights:
        return tr("Traffic of route %1 moves to: %2. Users are re-assigned by the sticky hash. "
                  "Cumulative exposures were split the old way, so the split check will flag "
                  "a mismatch against the new weights until the new split dominates; compare "
                  "results from before and after with care.")
            .arg(e ? e->route : QString(), splitText(c.experiment.variants));
    case ChangeKind::ExperimentCreate:
        return tr("Creates a draft on route %1 with %2 variants. A draft takes no traffic until "
                  "it is started.")
            .arg(c.experiment.route)
            .arg(c.experiment.variants.size());
    default:
        return {};
    }
}

std::optional<Change> ExperimentsController::rebase(const Change &c) const
{
    const Experiment *e = experiment(c.object);
    if (!e)
        return std::nullopt;
    Change n = c;
    n.requestId = Change::newRequestId();
    n.expectedEtag = e->etag;
    switch (c.kind) {
    case ChangeKind::ExperimentState:
        if (e->state == c.experimentState)
            return std::nullopt;
        n.oldValue = toString(e->state);
        return n;
    case ChangeKind::ExperimentWeights: {
        if (e->variants.size() != c.experiment.variants.size())
            return std::nullopt;
        n.experiment = *e;
        bool differs = false;
        for (std::size_t i = 0; i < e->variants.size(); ++i) {
            if (e->variants[i].id != c.experiment.variants[i].id)
                return std::nullopt;
            differs = differs || e->variants[i].weight != c.experiment.variants[i].weight;
            n.experiment.variants[i].weight = c.experiment.variants[i].weight;
        }
        if (!differs)
            return std::nullopt;
        n.oldValue = weightsText(e->variants);
        return n;
    }
    default:
        return std::nullopt;
    }
}

QString ExperimentsController::describeConflict(const Change &c, const ConflictInfo &conflict) const
{
    QString what;
    if (const auto *e = std::get_if<Experiment>(&conflict.current))
        what = tr("%1 is now %2 with weights %3")
                   .arg(e->name, toString(e->state), weightsText(e->variants));
    const QString who = conflict.updatedBy.isEmpty() ? tr("someone") : conflict.updatedBy;
    return tr("%1 changed %2 first, at %3: %4.")
        .arg(who, c.target(), formatClock(conflict.updatedMs), what);
}

void ExperimentsController::submit(const Change &change)
{
    const QString blocked = m_session->writeBlockedReason(m_fresh.fetchedMs);
    if (!blocked.isEmpty()) {
        RpcError err;
        err.code = RpcCode::FailedPrecondition;
        err.message = blocked;
        emit changeRejected(change, err);
        return;
    }
    m_inFlight.insert(change.requestId, change);
    m_client->apply(change);
}

void ExperimentsController::onApplied(const Change &change)
{
    if (!m_inFlight.contains(change.requestId))
        return;
    // experimentUpdated came just before, from the same answer.
    const Experiment result = m_lastUpdated;
    m_appliedResult.insert(change.requestId, result);
    LocalAction a = actionOf(change, QStringLiteral("applied"), {});
    if (change.kind == ChangeKind::ExperimentCreate && !result.id.isEmpty())
        a.target = QStringLiteral("experiment/") + result.id;
    if (!m_actions) {
        m_inFlight.remove(change.requestId);
        emit changeSucceeded(change, m_appliedResult.take(change.requestId));
        return;
    }
    // Success is reported once the local log has it (ActionLog::recorded).
    m_actions->record(a);
}

void ExperimentsController::onFailed(const Change &change, const RpcError &error)
{
    if (!m_inFlight.contains(change.requestId))
        return;
    m_inFlight.remove(change.requestId);
    if (error.code == RpcCode::FailedPrecondition && error.conflict) {
        if (const auto *e = std::get_if<Experiment>(&error.conflict->current))
            upsert(*e); // the world as it is now, before the user decides again
        if (m_actions)
            m_actions->record(actionOf(change, QStringLiteral("conflict"),
                                       describeConflict(change, *error.conflict)));
        emit changeConflicted(change, *error.conflict);
        return;
    }
    if (error.code == RpcCode::PermissionDenied)
        m_session->noteRoleTooLow(error.message);
    else if (error.code == RpcCode::Unauthenticated)
        m_session->reportFailure(change.title(), error);
    if (m_actions)
        m_actions->record(actionOf(change,
                                   error.code == RpcCode::PermissionDenied
                                       ? QStringLiteral("denied")
                                       : QStringLiteral("failed"),
                                   error.describe()));
    emit changeRejected(change, error);
}

} // namespace sb
