// Ordering and paging of every list: the order each list promises (newest
// first by a named timestamp, or by name), pages that neither repeat nor skip
// while the list grows, malformed page tokens, the page size cap.

#include "conformance/kit.h"

#include <set>

namespace sb::conformance {

namespace {

int64_t micros(const google::protobuf::Timestamp &t)
{
    return t.seconds() * 1000000 + t.nanos() / 1000;
}

std::vector<pb::AuditEvent> auditPages(Kit &kit, uint32_t pageSize, int maxPages,
                                       const std::function<void(int)> &betweenPages = {})
{
    std::vector<pb::AuditEvent> out;
    std::string token;
    for (int page = 0; page < maxPages; ++page) {
        pb::ListAuditEventsRequest req;
        req.set_page_size(pageSize);
        req.set_page_token(token);
        pb::ListAuditEventsResponse resp;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.routing().ListAuditEvents(c.get(), req, &resp), "ListAuditEvents");
        require(uint32_t(resp.events_size()) <= pageSize, "a page holds at most page_size entries");
        out.insert(out.end(), resp.events().begin(), resp.events().end());
        token = resp.next_page_token();
        if (token.empty())
            break;
        if (betweenPages)
            betweenPages(page);
    }
    return out;
}

void auditNewestFirst(Kit &kit)
{
    // Grow the list while paging: new events must not shift pages.
    const pb::Prompt p0 = kit.ownPrompt();
    auto grow = [&](int) {
        const pb::Prompt p = kit.currentPrompt(p0.name());
        pb::CreatePromptVersionResponse r;
        auto c = kit.ctx(As::Operator);
        expectOk(kit.prompts().CreatePromptVersion(c.get(),
                                                   kit.newVersion(p, "grows the audit log"), &r),
                 "CreatePromptVersion between pages");
    };
    const auto paged = auditPages(kit, 3, 8, grow);
    std::set<std::string> ids;
    for (size_t i = 0; i < paged.size(); ++i) {
        require(ids.insert(paged[i].id()).second, "paging repeats audit event " + paged[i].id() +
                                                      " (at position " + std::to_string(i) + ")");
        if (i > 0)
            require(micros(paged[i].time()) <= micros(paged[i - 1].time()),
                    "audit events are newest first by `time`: " + paged[i - 1].id() +
                        " is older than " + paged[i].id());
    }
    // The same stretch in one page: nothing skipped.
    if (!paged.empty()) {
        const auto whole = auditPages(kit, 1000, 1);
        size_t start = 0;
        while (start < whole.size() && whole[start].id() != paged[0].id())
            ++start;
        require(start < whole.size(), "the first paged event is in the full list");
        for (size_t i = 0; i < paged.size() && start + i < whole.size(); ++i)
            require(whole[start + i].id() == paged[i].id(),
                    "paging skipped or reordered events: expected " + whole[start + i].id() +
                        " at position " + std::to_string(i) + ", got " + paged[i].id());
    }
}

void experimentsNewestFirst(Kit &kit)
{
    kit.ownDraftExperiment(); // at least one
    std::vector<pb::Experiment> all;
    std::string token;
    for (int page = 0; page < 200; ++page) {
        pb::ListExperimentsRequest req;
        req.set_page_size(1);
        req.set_page_token(token);
        pb::ListExperimentsResponse resp;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.experiments().ListExperiments(c.get(), req, &resp), "ListExperiments");
        all.insert(all.end(), resp.experiments().begin(), resp.experiments().end());
        token = resp.next_page_token();
        if (token.empty())
            break;
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < all.size(); ++i) {
        require(ids.insert(all[i].id()).second, "paging repeats experiment " + all[i].id());
        if (i > 0)
            require(micros(all[i].create_time()) <= micros(all[i - 1].create_time()),
                    "experiments are newest first by create_time: " + all[i - 1].id() +
                        " was created before " + all[i].id());
    }
}

void promptsByName(Kit &kit)
{
    kit.ownPrompt();
    std::vector<std::string> names;
    std::string token;
    bool grew = false;
    for (int page = 0; page < 500; ++page) {
        pb::ListPromptsRequest req;
        req.set_page_size(2);
        req.set_page_token(token);
        pb::ListPromptsResponse resp;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.prompts().ListPrompts(c.get(), req, &resp), "ListPrompts");
        for (const auto &p : resp.prompts())
            names.push_back(p.name());
        token = resp.next_page_token();
        if (token.empty())
            break;
        if (!grew) {
            // A new prompt sorting before the cursor must not shift pages.
            pb::CreatePromptVersionResponse r;
            auto w = kit.ctx(As::Operator);
            expectOk(kit.prompts().CreatePromptVersion(
                         w.get(), kit.firstVersion(kit.name("a-new"), "grows the list"), &r),
                     "creating a prompt between pages");
            grew = true;
        }
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < names.size(); ++i) {
        require(seen.insert(names[i]).second, "paging repeats prompt " + names[i]);
        if (i > 0)
            require(names[i - 1] < names[i],
                    "prompts are ordered by name: " + names[i - 1] + " before " + names[i]);
    }
}

void versionsNewestFirst(Kit &kit)
{
    pb::Prompt p = kit.ownPrompt();
    while (p.latest_version() < 4) { // enough for two pages of 3
        pb::CreatePromptVersionResponse created;
        auto w = kit.ctx(As::Operator);
        expectOk(kit.prompts().CreatePromptVersion(w.get(), kit.newVersion(p, "another version"),
                                                   &created),
                 "CreatePromptVersion");
        p = created.prompt();
    }
    std::vector<uint32_t> versions;
    std::string token;
    for (int page = 0; page < 1000; ++page) {
        pb::ListPromptVersionsRequest req;
        req.set_prompt_name(p.name());
        req.set_page_size(3);
        req.set_page_token(token);
        pb::ListPromptVersionsResponse resp;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.prompts().ListPromptVersions(c.get(), req, &resp), "ListPromptVersions");
        for (const auto &v : resp.versions())
            versions.push_back(v.version());
        token = resp.next_page_token();
        if (token.empty())
            break;
    }
    require(!versions.empty() && versions.front() >= p.latest_version(),
            "the first version listed is the latest");
    for (size_t i = 1; i < versions.size(); ++i)
        require(versions[i] + 1 == versions[i - 1],
                "versions are newest first, each exactly once: " + std::to_string(versions[i - 1]) +
                    " then " + std::to_string(versions[i]));
    require(versions.back() == 1, "paging reaches version 1");
}

void malformedTokens(Kit &kit)
{
    const std::string bad = "not-a-page-token!";
    {
        pb::ListPromptsRequest req;
        req.set_page_token(bad);
        pb::ListPromptsResponse r;
        auto c = kit.ctx(As::Viewer);
        expectError(kit.prompts().ListPrompts(c.get(), req, &r), grpc::StatusCode::INVALID_ARGUMENT,
                    "page_token", "ListPrompts with a malformed page token");
    }
    {
        pb::ListExperimentsRequest req;
        req.set_page_token(bad);
        pb::ListExperimentsResponse r;
        auto c = kit.ctx(As::Viewer);
        expectError(kit.experiments().ListExperiments(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "page_token",
                    "ListExperiments with a malformed page token");
    }
    {
        pb::ListAuditEventsRequest req;
        req.set_page_token(bad);
        pb::ListAuditEventsResponse r;
        auto c = kit.ctx(As::Viewer);
        expectError(kit.routing().ListAuditEvents(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "page_token",
                    "ListAuditEvents with a malformed page token");
    }
    {
        pb::ListPromptVersionsRequest req;
        req.set_prompt_name(kit.ownPrompt().name());
        req.set_page_token(bad);
        pb::ListPromptVersionsResponse r;
        auto c = kit.ctx(As::Viewer);
        expectError(kit.prompts().ListPromptVersions(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "page_token",
                    "ListPromptVersions with a malformed page token");
    }
}

void pageSizeCap(Kit &kit)
{
    pb::ListAuditEventsRequest req;
    req.set_page_size(100000);
    pb::ListAuditEventsResponse r;
    auto c = kit.ctx(As::Viewer);
    expectOk(kit.routing().ListAuditEvents(c.get(), req, &r),
             "a page_size above the cap is capped, not an error");
    require(r.events_size() <= 1000, "a page holds at most 1000 entries");
    // page_size 0 means 100: give the kit's prompt more than 100 versions.
    pb::Prompt p = kit.ownPrompt();
    while (p.latest_version() <= 100) {
        pb::CreatePromptVersionResponse created;
        auto w = kit.ctx(As::Operator);
        expectOk(
            kit.prompts().CreatePromptVersion(w.get(), kit.newVersion(p, "page filler"), &created),
            "CreatePromptVersion (filling a page)");
        p = created.prompt();
    }
    pb::ListPromptVersionsRequest def;
    def.set_prompt_name(p.name());
    pb::ListPromptVersionsResponse d;
    auto c2 = kit.ctx(As::Viewer);
    expectOk(kit.prompts().ListPromptVersions(c2.get(), def, &d), "page_size 0");
    require(d.versions_size() == 100 && !d.next_page_token().empty(),
            "page_size 0 means 100 (got " + std::to_string(d.versions_size()) + " of " +
                std::to_string(p.latest_version()) + ")");
}

} // namespace

void addListChecks(std::vector<Check> &out)
{
    out.push_back({"lists.audit_newest_first",
                   "audit events newest first by `time`; pages keyed by cursor neither repeat "
                   "nor skip while the log grows",
                   false, auditNewestFirst});
    out.push_back({"lists.experiments_newest_first",
                   "experiments newest first by create_time, each exactly once across pages", false,
                   experimentsNewestFirst});
    out.push_back({"lists.prompts_by_name",
                   "prompts ordered by name; a prompt created while paging shifts no page", false,
                   promptsByName});
    out.push_back({"lists.versions_newest_first",
                   "prompt versions newest first, each exactly once across pages", false,
                   versionsNewestFirst});
    out.push_back({"lists.malformed_token",
                   "a malformed page token is INVALID_ARGUMENT `page_token: ...` on every list",
                   false, malformedTokens});
    out.push_back({"lists.page_size",
                   "page_size 0 means 100; above 1000 is capped at 1000, not an error", false,
                   pageSizeCap});
}

} // namespace sb::conformance
