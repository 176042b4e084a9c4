// PromptService over real gRPC: paging, versions, labels, rendering, conflicts,
// idempotency, auth and events.

#include "sim_test_support.h"

#include <thread>

using namespace sbtest;

namespace {

class SimPrompts : public SimTest
{
protected:
    pb::Prompt get(const std::string &name)
    {
        pb::GetPromptRequest req;
        req.set_name(name);
        pb::GetPromptResponse resp;
        auto c = ctx(kViewer);
        EXPECT_TRUE(m_prompts->GetPrompt(c.get(), req, &resp).ok());
        return resp.prompt();
    }

    pb::CreatePromptVersionRequest newVersion(const pb::Prompt &p)
    {
        pb::CreatePromptVersionRequest req;
        req.set_prompt_name(p.name());
        req.set_expected_etag(p.etag());
        req.set_request_id(requestId());
        req.set_template_("Hello {{customer_name}}, about {{product}}: {{history}}");
        req.set_model("atlas-xl");
        auto *v = req.add_variables();
        v->set_name("customer_name");
        v->set_required(true);
        v = req.add_variables();
        v->set_name("product");
        v->set_default_value("Switchboard");
        v = req.add_variables();
        v->set_name("history");
        req.set_message("Shorter greeting");
        req.set_parent_version(p.latest_version());
        return req;
    }
};

TEST_F(SimPrompts, ListPagesThroughAllPromptsInNameOrder)
{
    std::vector<std::string> names;
    std::string token;
    int pages = 0;
    do {
        pb::ListPromptsRequest req;
        req.set_page_size(2);
        req.set_page_token(token);
        pb::ListPromptsResponse resp;
        auto c = ctx(kViewer);
        ASSERT_TRUE(m_prompts->ListPrompts(c.get(), req, &resp).ok());
        EXPECT_LE(resp.prompts_size(), 2);
        for (const auto &p : resp.prompts())
            names.push_back(p.name());
        token = resp.next_page_token();
        ++pages;
    } while (!token.empty() && pages < 20);
    EXPECT_EQ(names.size(), 6u);
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_EQ(pages, 3);

    pb::ListPromptsRequest q;
    q.set_query("SUMMAR"); // case-insensitive, matches descriptions too
    pb::ListPromptsResponse resp;
    auto c = ctx(kViewer);
    ASSERT_TRUE(m_prompts->ListPrompts(c.get(), q, &resp).ok());
    ASSERT_GE(resp.prompts_size(), 1);
    EXPECT_EQ(resp.prompts(0).name(), "ticket-summary");

    pb::ListPromptsRequest bad;
    bad.set_page_token("garbage");
    auto c2 = ctx(kViewer);
    const auto st = m_prompts->ListPrompts(c2.get(), bad, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("page_token:", 0), 0u) << st.error_message();
}

TEST_F(SimPrompts, GetUnknownIsNotFoundAndEmptyNameNamesTheField)
{
    pb::GetPromptRequest req;
    req.set_name("no-such-prompt");
    pb::GetPromptResponse resp;
    auto c = ctx(kViewer);
    EXPECT_EQ(m_prompts->GetPrompt(c.get(), req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
    req.set_name("");
    auto c2 = ctx(kViewer);
    const auto st = m_prompts->GetPrompt(c2.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "name: must not be empty");
}

TEST_F(SimPrompts, SeededVersionsHaveHistory)
{
    pb::ListPromptVersionsRequest req;
    req.set_prompt_name("meeting-notes");
    req.set_page_size(2);
    pb::ListPromptVersionsResponse resp;
    auto c = ctx(kViewer);
    ASSERT_TRUE(m_prompts->ListPromptVersions(c.get(), req, &resp).ok());
    ASSERT_EQ(resp.versions_size(), 2);
    EXPECT_EQ(resp.versions(0).version(), 5u); // newest first
    EXPECT_EQ(resp.versions(0).parent_version(), 4u);
    EXPECT_FALSE(resp.versions(0).author().empty());
    EXPECT_FALSE(resp.versions(0).message().empty());
    ASSERT_FALSE(resp.next_page_token().empty());
    req.set_page_token(resp.next_page_token());
    req.set_page_size(100);
    auto c2 = ctx(kViewer);
    ASSERT_TRUE(m_prompts->ListPromptVersions(c2.get(), req, &resp).ok());
    ASSERT_EQ(resp.versions_size(), 3);
    EXPECT_EQ(resp.versions(0).version(), 3u);
    EXPECT_TRUE(resp.next_page_token().empty());
}

TEST_F(SimPrompts, CreateVersionAppearsWithNewEtag)
{
    const pb::Prompt before = get("support-reply");
    pb::CreatePromptVersionResponse resp;
    auto c = ctx(kOperator);
    ASSERT_TRUE(m_prompts->CreatePromptVersion(c.get(), newVersion(before), &resp).ok());
    EXPECT_EQ(resp.version().version(), before.latest_version() + 1);
    EXPECT_EQ(resp.version().author(), "olga");
    EXPECT_NE(resp.prompt().etag(), before.etag());
    EXPECT_EQ(get("support-reply").etag(), resp.prompt().etag());

    pb::ListPromptVersionsRequest lr;
    lr.set_prompt_name("support-reply");
    pb::ListPromptVersionsResponse list;
    auto c2 = ctx(kViewer);
    ASSERT_TRUE(m_prompts->ListPromptVersions(c2.get(), lr, &list).ok());
    ASSERT_GT(list.versions_size(), 0);
    EXPECT_EQ(list.versions(0).version(), resp.version().version());
    EXPECT_EQ(list.versions(0).message(), "Shorter greeting");

    // A new name creates the prompt, with an empty expected etag.
    pb::CreatePromptVersionRequest fresh = newVersion(pb::Prompt());
    fresh.set_prompt_name("brand-new");
    fresh.set_parent_version(0);
    auto c3 = ctx(kOperator);
    ASSERT_TRUE(m_prompts->CreatePromptVersion(c3.get(), fresh, &resp).ok());
    EXPECT_EQ(resp.prompt().latest_version(), 1u);
}

TEST_F(SimPrompts, StaleEtagConflictsWithCurrentPromptInTrailer)
{
    const pb::Prompt before = get("ticket-summary");
    pb::CreatePromptVersionResponse resp;
    auto c = ctx(kOperator);
    ASSERT_TRUE(m_prompts->CreatePromptVersion(c.get(), newVersion(before), &resp).ok());

    auto loser = newVersion(before); // still carries the old etag
    auto c2 = ctx(kOperator);
    const auto st = m_prompts->CreatePromptVersion(c2.get(), loser, &resp);
    ASSERT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(st.error_message().rfind("expected_etag:", 0), 0u) << st.error_message();
    pb::Conflict conflict;
    ASSERT_TRUE(conflictOf(*c2, &conflict));
    ASSERT_TRUE(conflict.has_prompt());
    EXPECT_EQ(conflict.current_etag(), get("ticket-summary").etag());
    EXPECT_EQ(conflict.prompt().latest_version(), before.latest_version() + 1);
    EXPECT_EQ(conflict.updated_by(), "olga");
}

TEST_F(SimPrompts, RetriedWriteIsIdempotentAndReusedIdConflicts)
{
    const pb::Prompt before = get("product-qa");
    const auto req = newVersion(before);
    pb::CreatePromptVersionResponse first, second;
    auto c = ctx(kOperator);
    ASSERT_TRUE(m_prompts->CreatePromptVersion(c.get(), req, &first).ok());
    auto c2 = ctx(kOperator);
    ASSERT_TRUE(m_prompts->CreatePromptVersion(c2.get(), req, &second).ok());
    EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
    EXPECT_EQ(get("product-qa").latest_version(), before.latest_version() + 1);

    auto different = req;
    different.set_message("Something else");
    auto c3 = ctx(kOperator);
    EXPECT_EQ(m_prompts->CreatePromptVersion(c3.get(), different, &second).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(SimPrompts, InvalidArgumentsNameTheField)
{
    const pb::Prompt p = get("support-reply");
    auto expectField = [&](pb::CreatePromptVersionRequest req, const std::string &prefix) {
        pb::CreatePromptVersionResponse resp;
        auto c = ctx(kOperator);
        const auto st = m_prompts->CreatePromptVersion(c.get(), req, &resp);
        EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << prefix;
        EXPECT_EQ(st.error_message().rfind(prefix, 0), 0u) << st.error_message();
    };
    auto r = newVersion(p);
    r.set_message("");
    expectField(r, "message: must not be empty");
    r = newVersion(p);
    r.set_template_("Hi {{undeclared}}");
    expectField(r, "variables:");
    r = newVersion(p);
    r.mutable_parameters()->set_temperature(3);
    expectField(r, "parameters.temperature:");
    r = newVersion(p);
    r.set_prompt_name("Bad Name");
    expectField(r, "prompt_name:");
    r = newVersion(p);
    r.mutable_variables(1)->set_name("customer_name");
    expectField(r, "variables[1].name:");
}

TEST_F(SimPrompts, AuthAndRoles)
{
    const pb::Prompt p = get("support-reply");
    pb::CreatePromptVersionResponse resp;
    auto none = ctx("");
    EXPECT_EQ(m_prompts->CreatePromptVersion(none.get(), newVersion(p), &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    auto bogus = ctx("not-a-token");
    pb::GetPromptRequest g;
    g.set_name("support-reply");
    pb::GetPromptResponse gr;
    EXPECT_EQ(m_prompts->GetPrompt(bogus.get(), g, &gr).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    auto viewer = ctx(kViewer);
    const auto st = m_prompts->CreatePromptVersion(viewer.get(), newVersion(p), &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(st.error_message().find("operator"), std::string::npos) << st.error_message();
}

TEST_F(SimPrompts, MoveLabelAndRollBackProduction)
{
    pb::Prompt p = get("support-reply");
    uint32_t production = 0;
    for (const auto &l : p.labels()) {
        if (l.name() == "production")
            production = l.version();
    }
    ASSERT_EQ(production, 3u);

    pb::MoveLabelRequest req;
    req.set_prompt_name("support-reply");
    req.set_label("production");
    req.set_version(2);
    req.set_expected_etag(p.etag());
    req.set_request_id(requestId());
    req.set_reason("v3 regressed on refunds");
    pb::MoveLabelResponse resp;
    auto op = ctx(kOperator);
    const auto denied = m_prompts->MoveLabel(op.get(), req, &resp);
    EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(denied.error_message().find("admin"), std::string::npos);

    auto admin = ctx(kAdmin);
    ASSERT_TRUE(m_prompts->MoveLabel(admin.get(), req, &resp).ok());
    EXPECT_EQ(resp.previous_version(), 3u);
    EXPECT_NE(resp.prompt().etag(), p.etag());

    // An operator may move other labels, creating them if needed.
    pb::MoveLabelRequest canary = req;
    canary.set_label("canary");
    canary.set_version(4);
    canary.set_expected_etag(resp.prompt().etag());
    canary.set_request_id(requestId());
    auto op2 = ctx(kOperator);
    ASSERT_TRUE(m_prompts->MoveLabel(op2.get(), canary, &resp).ok());
    EXPECT_EQ(resp.previous_version(), 0u);

    pb::RenderPromptRequest render;
    render.set_prompt_name("support-reply");
    render.set_label("production");
    (*render.mutable_variables())["customer_name"] = "Ada";
    pb::RenderPromptResponse rendered;
    auto v = ctx(kViewer);
    ASSERT_TRUE(m_prompts->RenderPrompt(v.get(), render, &rendered).ok());
    EXPECT_EQ(rendered.version(), 2u);

    // The move is audited.
    pb::ListAuditEventsRequest ar;
    ar.set_target("prompt/support-reply");
    pb::ListAuditEventsResponse audit;
    auto v2 = ctx(kViewer);
    ASSERT_TRUE(m_routing->ListAuditEvents(v2.get(), ar, &audit).ok());
    ASSERT_GE(audit.events_size(), 2);
    EXPECT_EQ(audit.events(1).actor(), "adam");
    EXPECT_EQ(audit.events(1).action(), "label.move");
    EXPECT_EQ(audit.events(1).reason(), "v3 regressed on refunds");
}

TEST_F(SimPrompts, RenderWithVariablesDefaultsAndMissingRequired)
{
    pb::RenderPromptRequest req;
    req.set_prompt_name("support-reply");
    req.set_version(3);
    (*req.mutable_variables())["customer_name"] = "Ada";
    (*req.mutable_variables())["product"] = "Switchboard";
    pb::RenderPromptResponse resp;
    auto c = ctx(kViewer);
    ASSERT_TRUE(m_prompts->RenderPrompt(c.get(), req, &resp).ok());
    EXPECT_NE(resp.text().find("Greet Ada by name"), std::string::npos) << resp.text();
    EXPECT_NE(resp.text().find("a friendly support agent for Switchboard"), std::string::npos)
        << resp.text();
    EXPECT_EQ(resp.version(), 3u);
    EXPECT_NE(
        std::find(resp.defaulted_variables().begin(), resp.defaulted_variables().end(), "tone"),
        resp.defaulted_variables().end());

    req.mutable_variables()->erase("customer_name");
    auto c2 = ctx(kViewer);
    const auto st = m_prompts->RenderPrompt(c2.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("variables:", 0), 0u) << st.error_message();
    EXPECT_NE(st.error_message().find("customer_name"), std::string::npos);
}

TEST_F(SimPrompts, WatchPromptsSeesNewVersionsAndLabelMoves)
{
    auto wc = ctx(kViewer, 15000);
    pb::WatchPromptsRequest wr;
    wr.add_prompt_names("invoice-extract");
    auto reader = m_prompts->WatchPrompts(wc.get(), wr);
    reader->WaitForInitialMetadata(); // the subscription is in place

    // An event for another prompt is filtered out.
    pb::CreatePromptVersionResponse created;
    auto c0 = ctx(kOperator);
    ASSERT_TRUE(
        m_prompts->CreatePromptVersion(c0.get(), newVersion(get("product-qa")), &created).ok());
    auto c = ctx(kOperator);
    ASSERT_TRUE(
        m_prompts->CreatePromptVersion(c.get(), newVersion(get("invoice-extract")), &created).ok());
    pb::MoveLabelRequest move;
    move.set_prompt_name("invoice-extract");
    move.set_label("staging");
    move.set_version(created.version().version());
    move.set_expected_etag(created.prompt().etag());
    move.set_request_id(requestId());
    move.set_reason("try it");
    pb::MoveLabelResponse moved;
    auto c2 = ctx(kOperator);
    ASSERT_TRUE(m_prompts->MoveLabel(c2.get(), move, &moved).ok());

    pb::WatchPromptsResponse ev;
    ASSERT_TRUE(reader->Read(&ev));
    EXPECT_EQ(ev.kind(), pb::PROMPT_EVENT_KIND_VERSION_CREATED);
    EXPECT_EQ(ev.prompt().name(), "invoice-extract");
    EXPECT_EQ(ev.version().version(), created.version().version());
    EXPECT_EQ(ev.actor(), "olga");
    ASSERT_TRUE(reader->Read(&ev));
    EXPECT_EQ(ev.kind(), pb::PROMPT_EVENT_KIND_LABEL_MOVED);
    EXPECT_EQ(ev.label(), "staging");
    EXPECT_EQ(ev.previous_version(), 3u);
    wc->TryCancel();
    while (reader->Read(&ev)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

} // namespace

TEST_F(SimPrompts, MustacheTemplatesValidateAndRenderFewShotSections)
{
    const pb::Prompt p = get("product-qa");
    // A few-shot section: only its name and the top-level names are variables.
    auto req = newVersion(p);
    req.set_template_("{{#examples}}Q: {{q}}\nA: {{a}}\n{{/examples}}Q: {{question}}");
    req.clear_variables();
    req.add_variables()->set_name("examples");
    auto *q = req.add_variables();
    q->set_name("question");
    q->set_required(true);
    pb::CreatePromptVersionResponse created;
    auto c = ctx(kOperator);
    const auto st = m_prompts->CreatePromptVersion(c.get(), req, &created);
    ASSERT_TRUE(st.ok()) << st.error_message();

    pb::RenderPromptRequest render;
    render.set_prompt_name("product-qa");
    render.set_version(created.version().version());
    (*render.mutable_variables())["examples"] = R"([{"q": "2+2?", "a": "4"}])";
    (*render.mutable_variables())["question"] = "3+3?";
    pb::RenderPromptResponse rendered;
    auto v = ctx(kViewer);
    ASSERT_TRUE(m_prompts->RenderPrompt(v.get(), render, &rendered).ok());
    EXPECT_EQ(rendered.text(), "Q: 2+2?\nA: 4\nQ: 3+3?");

    // A syntax error names the template field and says where.
    auto bad = newVersion(created.prompt());
    bad.set_template_("Hello {{customer_name}}\n{{#history}}\n{{history}}");
    auto c2 = ctx(kOperator);
    const auto err = m_prompts->CreatePromptVersion(c2.get(), bad, &created);
    EXPECT_EQ(err.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(err.error_message(), "template: unclosed section \"history\" at line 2, column 1");
    // A section name is a variable to declare like any other.
    auto undeclared = newVersion(created.prompt());
    undeclared.set_template_("{{#shots}}{{x}}{{/shots}} {{customer_name}}");
    auto c3 = ctx(kOperator);
    const auto err2 = m_prompts->CreatePromptVersion(c3.get(), undeclared, &created);
    EXPECT_EQ(err2.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(err2.error_message().find("'shots'"), std::string::npos) << err2.error_message();
}

TEST_F(SimPrompts, SeededLabelsHaveAMoveHistoryEndingWhereTheyPoint)
{
    pb::ListAuditEventsRequest ar;
    ar.set_target("prompt/meeting-notes");
    pb::ListAuditEventsResponse audit;
    auto v = ctx(kViewer);
    ASSERT_TRUE(m_routing->ListAuditEvents(v.get(), ar, &audit).ok());
    std::vector<std::string> production;
    for (const auto &e : audit.events()) { // newest first
        EXPECT_EQ(e.action(), "label.move");
        if (e.new_value().rfind("production -> ", 0) == 0)
            production.push_back(e.old_value() + " => " + e.new_value());
    }
    ASSERT_EQ(production.size(), 4u);
    EXPECT_EQ(production[0], "production -> 3 => production -> 4");
    EXPECT_EQ(production[3], " => production -> 1");
    // The label says who moved it last, as the newest event does.
    const pb::Prompt p = get("meeting-notes");
    for (const auto &l : p.labels()) {
        if (l.name() == "production") {
            EXPECT_EQ(l.version(), 4u);
            EXPECT_FALSE(l.updated_by().empty());
        }
    }
}
