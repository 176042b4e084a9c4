#include "ui/experiments/arena_controller.h"

#include "client/compare_stream.h"
#include "client/experiments_client.h"
#include "store/cache.h"
#include "ui/common/format.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <algorithm>
#include <chrono>

namespace sb {

namespace {

qint64 steadyUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString usd(double v)
{
    return v >= 0.01 ? QStringLiteral("$%1").arg(v, 0, 'f', 4)
                     : QStringLiteral("$%1").arg(v, 0, 'f', 5);
}

} // namespace

ArenaController::ArenaController(Session *session, ExperimentsClient *client, QObject *parent)
    : QObject(parent), m_session(session), m_client(client),
      m_compare(new CompareStream(session->connection(), this))
{
    connect(m_compare, &CompareStream::deltasReceived, this, &ArenaController::onDeltas);
    connect(m_compare, &CompareStream::variantFinished, this, &ArenaController::onVariantFinished);
    connect(m_compare, &CompareStream::finished, this, &ArenaController::onFinished);
    m_flush.setSingleShot(true);
    m_flush.setTimerType(Qt::PreciseTimer);
    connect(&m_flush, &QTimer::timeout, this, &ArenaController::flush);

    connect(m_client, &ExperimentsClient::feedbackSubmitted, this,
            [this](const Feedback &f, const QString &) { feedbackAnswered(f); });
    connect(m_client, &ExperimentsClient::feedbackFailed, this,
            [this](const Feedback &f, const RpcError &e) {
                if (!m_feedbackPending.contains(f.subjectId))
                    return;
                QStringList &errs = m_feedbackErrors[f.subjectId];
                if (!errs.contains(e.describe()))
                    errs << e.describe();
                feedbackAnswered(f);
            });
    if (auto *cache = session->cache()) {
        connect(cache, &Cache::arenaRunsLoaded, this,
                [this](const QString &endpoint, const QString &experimentId,
                       const std::vector<ArenaRun> &runs) {
                    if (endpoint != m_session->endpointKey() || experimentId != m_experiment.id)
                        return;
                    m_history.setRuns(runs);
                    emit historyLoaded(runs);
                });
    }
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_compare->cancel();
        m_experiment = {};
        m_run = {};
        m_live.clear();
        m_history.setRuns({});
        emit runStarted();
    });
}

void ArenaController::feedbackAnswered(const Feedback &f)
{
    auto it = m_feedbackPending.find(f.subjectId);
    if (it == m_feedbackPending.end())
        return;
    if (--it.value() > 0)
        return;
    m_feedbackPending.erase(it);
    const QStringList errors = m_feedbackErrors.take(f.subjectId);
    const ArenaRun *r = m_history.run(f.subjectId);
    ArenaRun run = r ? *r : (m_run.requestId == f.subjectId ? m_run : ArenaRun{});
    if (run.requestId.isEmpty())
        return;
    run.feedbackStatus =
        errors.isEmpty() ? tr("sent") : tr("not sent: %1").arg(errors.join(QStringLiteral("; ")));
    if (m_run.requestId == run.requestId)
        m_run.feedbackStatus = run.feedbackStatus;
    m_history.upsert(run);
    if (auto *cache = m_session->cache())
        cache->saveArenaRun(m_session->endpointKey(), run);
    emit voted();
    emit historyLoaded(m_history.runs());
}

void ArenaController::setExperiment(const Experiment &experiment)
{
    const bool same = experiment.id == m_experiment.id;
    m_experiment = experiment;
    if (same)
        return;
    if (m_running)
        m_compare->cancel();
    m_run = {};
    m_live.clear();
    m_replay = false;
    m_history.setRuns({});
    emit runStarted();
    loadHistory();
}

void ArenaController::loadHistory()
{
    if (auto *cache = m_session->cache(); cache && !m_experiment.id.isEmpty())
        cache->loadArenaRuns(m_session->endpointKey(), m_experiment.id);
}

void ArenaController::setVariables(const std::vector<PromptVariable> &variables)
{
    if (variables == m_variables)
        return;
    m_variables = variables;
    emit variablesChanged();
}

void ArenaController::setModels(const std::vector<Model> &models)
{
    m_prices.clear();
    for (const auto &m : models)
        m_prices.insert(m.name, {m.inputCostPer1k, m.outputCostPer1k});
}

QString ArenaController::runBlockedReason() const
{
    if (m_experiment.id.isEmpty())
        return tr("select an experiment first");
    if (m_experiment.variants.size() < 2)
        return tr("the experiment has fewer than two variants");
    const QString why = m_session->writeBlockedReason();
    if (!why.isEmpty())
        return why;
    if (m_running)
        return tr("a run is in progress");
    return {};
}

bool ArenaController::run(const QString &input, const QMap<QString, QString> &variables, bool blind)
{
    if (!runBlockedReason().isEmpty())
        return false;
    ArenaRun r;
    r.requestId = Change::newRequestId();
    r.timeMs = QDateTime::currentMSecsSinceEpoch();
    r.experimentId = m_experiment.id;
    r.experimentName = m_experiment.name;
    r.input = input;
    r.variables = variables;
    r.blind = blind;
    std::vector<const Variant *> shown;
    for (const auto &v : m_experiment.variants) {
        if (int(shown.size()) < kMaxColumns)
            shown.push_back(&v);
    }
    if (blind) {
        // Shuffled, so position gives nothing away either.
        std::shuffle(shown.begin(), shown.end(), *QRandomGenerator::global());
    }
    static const char *kLabels[] = {"A", "B", "C", "D"};
    CompareRequest req;
    req.experimentId = m_experiment.id;
    req.input = input;
    req.variables = variables;
    req.requestId = r.requestId;
    for (std::size_t i = 0; i < shown.size(); ++i) {
        ArenaOutput o;
        o.variantId = shown[i]->id;
        o.variantName = shown[i]->name.isEmpty() ? shown[i]->id : shown[i]->name;
        o.label = QString::fromLatin1(kLabels[i]);
        r.outputs.push_back(o);
        req.variantIds << o.variantId;
    }
    m_run = r;
    m_live.assign(r.outputs.size(), Live{});
    m_replay = false;
    m_running = true;
    m_dirty = false;
    m_startUs = steadyUs();
    m_lastFlush.invalidate();
    emit runStarted();
    m_compare->start(req);
    return true;
}

void ArenaController::cancel()
{
    m_compare->cancel(); // finished(Cancelled) arrives synchronously
}

int ArenaController::column(const QString &variantId) const
{
    for (std::size_t i = 0; i < m_run.outputs.size(); ++i) {
        if (m_run.outputs[i].variantId == variantId)
            return int(i);
    }
    return -1;
}

void ArenaController::onDeltas(const std::vector<TokenDelta> &deltas)
{
    if (!m_running)
        return;
    for (const TokenDelta &d : deltas) {
        const int c = column(d.variantId);
        if (c < 0)
            continue;
        Live &l = m_live[std::size_t(c)];
        ArenaOutput &o = m_run.outputs[std::size_t(c)];
        if (!l.firstUs) {
            l.firstUs = d.arrivedUs;
            o.clientTtftMs = double(d.arrivedUs - m_startUs) / 1000.0;
        }
        l.lastUs = d.arrivedUs;
        ++l.tokens;
        if (l.pending.isEmpty())
            l.oldestPendingUs = d.arrivedUs;
        l.pending += d.text;
        o.text += d.text;
    }
    m_dirty = true;
    scheduleFlush();
}

void ArenaController::scheduleFlush()
{
    // Leading edge: the first token after a quiet spell shows at once; a
    // steady stream shows at most every kFlushMs.
    if (m_flush.isActive())
        return;
    const qint64 since = m_lastFlush.isValid() ? m_lastFlush.elapsed() : kFlushMs;
    if (since >= kFlushMs)
        flush();
    else
        m_flush.start(int(kFlushMs - since));
}

void ArenaController::onVariantFinished(const VariantSummary &summary)
{
    const int c = column(summary.variantId);
    if (c < 0 || !m_running)
        return;
    ArenaOutput &o = m_run.outputs[std::size_t(c)];
    o.summary = summary;
    o.finished = true;
    m_live[std::size_t(c)].lastUs = steadyUs();
    m_dirty = true;
    scheduleFlush();
}

void ArenaController::onFinished(const RpcError &status)
{
    if (!m_running)
        return;
    m_running = false;
    m_flush.stop();
    m_dirty = true;
    flush();
    m_run.cancelled = status.code == RpcCode::Cancelled;
    bool anything = false;
    for (const auto &o : m_run.outputs)
        anything = anything || !o.text.isEmpty() || o.finished;
    if (!status.ok() && !m_run.cancelled)
        emit message(tr("Comparison failed: %1").arg(status.describe()));
    if (anything) {
        save();
        m_history.upsert(m_run);
    }
    emit runFinished(status);
}

void ArenaController::flush()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    m_lastFlush.start();
    emit outputsUpdated();
}

void ArenaController::save()
{
    if (auto *cache = m_session->cache())
        cache->saveArenaRun(m_session->endpointKey(), m_run);
}

QString ArenaController::columnTitle(int c) const
{
    if (c < 0 || c >= int(m_run.outputs.size()))
        return {};
    const ArenaOutput &o = m_run.outputs[std::size_t(c)];
    if (!m_run.blind)
        return o.variantName;
    if (!namesShown())
        return o.label;
    return QStringLiteral("%1 · %2").arg(o.label, o.variantName);
}

QString ArenaController::columnFigures(int c) const
{
    if (c < 0 || c >= int(m_run.outputs.size()))
        return {};
    const ArenaOutput &o = m_run.outputs[std::size_t(c)];
    const VariantSummary &s = o.summary;
    if (o.finished) {
        if (s.status != RpcCode::Ok)
            return tr("failed: %1").arg(s.error.isEmpty() ? codeName(s.status) : s.error);
        return tr("TTFT %1 · %2 · %3 tokens · %4")
            .arg(formatLatency(s.ttftMs), formatLatency(s.latencyMs))
            .arg(s.outputTokens)
            .arg(usd(s.costUsd));
    }
    if (m_replay || c >= int(m_live.size()))
        return m_run.cancelled ? tr("cancelled") : tr("no summary");
    const Live &l = m_live[std::size_t(c)];
    if (!l.firstUs) {
        if (!m_running)
            return m_run.cancelled ? tr("cancelled before the first token") : tr("no output");
        return tr("waiting for the first token… %1")
            .arg(formatLatency(double(steadyUs() - m_startUs) / 1000.0));
    }
    const qint64 endUs = m_running ? steadyUs() : l.lastUs;
    QString figures =
        tr("TTFT %1 · %2 · %3 tokens")
            .arg(formatLatency(o.clientTtftMs), formatLatency(double(endUs - m_startUs) / 1000.0))
            .arg(l.tokens);
    const Variant *v = nullptr;
    for (const auto &x : m_experiment.variants) {
        if (x.id == o.variantId)
            v = &x;
    }
    if (v && m_prices.contains(v->model)) {
        const auto [in, out] = m_prices.value(v->model);
        // Until the service says: this console's estimate (about 4 characters a token).
        const double inTokens = double(m_run.input.size()) / 4.0 + 1;
        figures += tr(" · ≈ %1").arg(usd(inTokens * in / 1000 + l.tokens * out / 1000));
    }
    if (m_run.cancelled)
        figures += tr(" · cancelled");
    return figures;
}

QString ArenaController::takeNewText(int c)
{
    if (c < 0 || c >= int(m_live.size()))
        return {};
    QString out;
    out.swap(m_live[std::size_t(c)].pending);
    return out;
}

qint64 ArenaController::takeOldestArrivalUs(int c)
{
    if (c < 0 || c >= int(m_live.size()))
        return 0;
    const qint64 t = m_live[std::size_t(c)].oldestPendingUs;
    m_live[std::size_t(c)].oldestPendingUs = 0;
    return t;
}

QString ArenaController::voteBlockedReason() const
{
    if (!hasRun())
        return tr("run an input first");
    if (m_running)
        return tr("wait for the run to finish (or cancel it)");
    if (m_run.vote != ArenaVote::None)
        return tr("this run is already voted on");
    bool anything = false;
    for (const auto &o : m_run.outputs)
        anything = anything || !o.text.isEmpty();
    if (!anything)
        return tr("no output to judge");
    return {};
}

void ArenaController::vote(ArenaVote vote, const QString &preferredVariantId,
                           const QStringList &hallucinated)
{
    if (!voteBlockedReason().isEmpty() || vote == ArenaVote::None)
        return;
    if (vote == ArenaVote::Prefer && column(preferredVariantId) < 0)
        return;
    m_run.vote = vote;
    m_run.preferredVariantId = vote == ArenaVote::Prefer ? preferredVariantId : QString();
    m_run.hallucinated = hallucinated;
    m_run.votedMs = QDateTime::currentMSecsSinceEpoch();
    const std::vector<Feedback> feedback = feedbackFor(m_run);
    const QString offline = m_session->writeBlockedReason();
    if (!offline.isEmpty())
        m_run.feedbackStatus = tr("not sent: %1").arg(offline);
    else
        m_run.feedbackStatus = feedback.empty() ? tr("nothing to send") : tr("sending");
    // Kept locally first, whatever the service says.
    save();
    m_history.upsert(m_run);
    if (offline.isEmpty() && !feedback.empty()) {
        m_feedbackPending.insert(m_run.requestId, int(feedback.size()));
        m_feedbackErrors.remove(m_run.requestId);
        for (const auto &f : feedback)
            m_client->submitFeedback(f);
    }
    emit voted();
    emit historyLoaded(m_history.runs());
}

void ArenaController::replay(const QString &requestId)
{
    if (m_running)
        return;
    const ArenaRun *r = m_history.run(requestId);
    if (!r)
        return;
    m_run = *r;
    m_replay = true;
    // Variables the run used but the prompts (as far as known here, e.g.
    // offline) do not declare still show, so "run again" uses them.
    std::vector<PromptVariable> vars = m_variables;
    for (auto it = m_run.variables.begin(); it != m_run.variables.end(); ++it) {
        if (std::none_of(vars.begin(), vars.end(),
                         [&](const PromptVariable &v) { return v.name == it.key(); }))
            vars.push_back({it.key(), {}, false, {}});
    }
    setVariables(vars);
    m_live.assign(m_run.outputs.size(), Live{});
    for (std::size_t i = 0; i < m_run.outputs.size(); ++i) {
        m_live[i].pending = m_run.outputs[i].text;
        m_live[i].tokens = int(m_run.outputs[i].summary.outputTokens);
    }
    emit runStarted();
    emit outputsUpdated();
}

} // namespace sb
