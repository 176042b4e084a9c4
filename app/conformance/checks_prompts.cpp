// prompt_service.proto: WatchPrompts (filtered to one prompt: the version
// created, the label moved with its previous version) and a label move that
// changes nothing (still a change: new etag).

#include "conformance/kit.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace sb::conformance {

namespace {

// Collects a watch's events on a thread, so the writer can wait for them with
// a timeout (a sync Read cannot time out before the call's deadline).
class Collector
{
public:
    Collector(Kit &kit, const std::string &prompt) : m_ctx(kit.ctx(As::Viewer, 8000))
    {
        pb::WatchPromptsRequest req;
        req.add_prompt_names(prompt);
        m_reader = kit.prompts().WatchPrompts(m_ctx.get(), req);
        m_thread = std::thread([this] {
            pb::WatchPromptsResponse ev;
            while (m_reader->Read(&ev)) {
                std::lock_guard lock(m_mutex);
                m_events.push_back(ev);
                m_cv.notify_all();
            }
        });
    }
    ~Collector()
    {
        m_ctx->TryCancel();
        m_thread.join();
        m_reader->Finish();
    }
    // Waits up to `ms` for an event matching `pred`.
    bool waitFor(const std::function<bool(const pb::WatchPromptsResponse &)> &pred, int ms,
                 pb::WatchPromptsResponse *out)
    {
        std::unique_lock lock(m_mutex);
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        for (;;) {
            for (const auto &ev : m_events) {
                if (pred(ev)) {
                    *out = ev;
                    return true;
                }
            }
            if (m_cv.wait_until(lock, until) == std::cv_status::timeout)
                return false;
        }
    }

private:
    std::unique_ptr<grpc::ClientContext> m_ctx;
    std::unique_ptr<grpc::ClientReader<pb::WatchPromptsResponse>> m_reader;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<pb::WatchPromptsResponse> m_events;
};

void watchPrompts(Kit &kit)
{
    pb::Prompt p = kit.ownPrompt();
    Collector watch(kit, p.name());
    // The subscription may start a little after the call: write until seen.
    pb::CreatePromptVersionResponse created;
    pb::WatchPromptsResponse ev;
    bool seen = false;
    for (int attempt = 0; attempt < 3 && !seen; ++attempt) {
        auto c = kit.ctx(As::Operator);
        expectOk(kit.prompts().CreatePromptVersion(c.get(), kit.newVersion(p, "watched"), &created),
                 "CreatePromptVersion");
        p = created.prompt();
        const uint32_t v = created.version().version();
        seen = watch.waitFor(
            [&](const pb::WatchPromptsResponse &e) {
                return e.kind() == pb::PROMPT_EVENT_KIND_VERSION_CREATED &&
                       e.version().version() == v && e.prompt().name() == p.name();
            },
            1000, &ev);
    }
    require(seen, "WatchPrompts sends VERSION_CREATED with the new version");
    pb::MoveLabelRequest move;
    move.set_prompt_name(p.name());
    move.set_label("conformance-watch");
    move.set_version(1);
    move.set_expected_etag(created.prompt().etag());
    move.set_reason("conformance: watched label move");
    move.set_request_id(kit.requestId());
    pb::MoveLabelResponse moved;
    auto c2 = kit.ctx(As::Operator);
    expectOk(kit.prompts().MoveLabel(c2.get(), move, &moved), "MoveLabel");
    require(watch.waitFor(
                [&](const pb::WatchPromptsResponse &e) {
                    return e.kind() == pb::PROMPT_EVENT_KIND_LABEL_MOVED &&
                           e.label() == "conformance-watch";
                },
                2000, &ev),
            "WatchPrompts sends LABEL_MOVED");
    require(ev.previous_version() == 0, "LABEL_MOVED of a new label has previous_version 0");
    // The same move again changes nothing, but is a change all the same.
    move.set_expected_etag(moved.prompt().etag());
    move.set_request_id(kit.requestId());
    pb::MoveLabelResponse again;
    auto c3 = kit.ctx(As::Operator);
    expectOk(kit.prompts().MoveLabel(c3.get(), move, &again), "the same MoveLabel again");
    require(again.prompt().etag() != moved.prompt().etag() && again.previous_version() == 1,
            "a label move that changes nothing still gets a new etag (previous_version 1)");
}

} // namespace

void addPromptChecks(std::vector<Check> &out)
{
    out.push_back({"prompts.watch",
                   "WatchPrompts sends VERSION_CREATED and LABEL_MOVED for the prompts asked "
                   "for; a no-op label move is still a change",
                   false, watchPrompts});
}

} // namespace sb::conformance
