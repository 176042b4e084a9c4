// PromptService: prompts, immutable versions, labels, rendering, events.

#include "core/prompt_template.h"
#include "sim/mutations.h"
#include "sim/state.h"
#include "switchboard/v1/prompt_service.grpc.pb.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace sb::sim {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

grpc::Status validateNewVersion(const pb::CreatePromptVersionRequest &r)
{
    if (r.prompt_name().empty())
        return invalid("prompt_name: must not be empty");
    if (!validObjectName(r.prompt_name()))
        return invalid("prompt_name: must be 1..128 of lowercase letters, digits, '-', '_', '.'");
    if (r.request_id().empty())
        return invalid("request_id: must not be empty");
    if (r.template_().empty())
        return invalid("template: must not be empty");
    if (r.template_().size() > 100000)
        return invalid("template: must be at most 100000 bytes");
    if (r.model().empty())
        return invalid("model: must not be empty");
    if (r.model().size() > 128)
        return invalid("model: must be at most 128 characters");
    if (r.message().empty())
        return invalid("message: must not be empty");
    if (r.message().size() > 2000)
        return invalid("message: must be at most 2000 characters");
    if (r.description().size() > 2000)
        return invalid("description: must be at most 2000 characters");
    if (auto st = validateParameters(r.parameters(), "parameters"); !st.ok())
        return st;
    std::set<std::string> declared;
    for (int i = 0; i < r.variables_size(); ++i) {
        const auto &v = r.variables(i);
        const std::string path = "variables[" + std::to_string(i) + "]";
        if (!validVariableName(v.name()))
            return invalid(path + ".name: must be 1..64 letters, digits or '_'");
        if (!declared.insert(v.name()).second)
            return invalid(path + ".name: duplicate variable " + quoted(v.name()));
    }
    QString error;
    const QStringList used = templateVariables(QString::fromStdString(r.template_()), &error);
    if (!error.isEmpty())
        return invalid("template: " + error.toStdString());
    for (const QString &u : used) {
        if (!declared.count(u.toStdString()))
            return invalid("variables: the template uses undeclared variable " +
                           quoted(u.toStdString()));
    }
    return grpc::Status::OK;
}

// OK when the caller's expected_etag is the prompt's current one; otherwise the
// stale-etag status with the prompt in the Conflict trailer.
grpc::Status checkEtag(grpc::CallbackServerContext *ctx, const std::string &expected,
                       const PromptRec &rec, const std::string &name)
{
    if (expected == rec.prompt.etag() || mutated(Mutation::LastWriteWins))
        return grpc::Status::OK;
    pb::Conflict c;
    c.set_current_etag(rec.prompt.etag());
    *c.mutable_prompt() = rec.prompt;
    *c.mutable_update_time() = rec.prompt.update_time();
    c.set_updated_by(rec.updatedBy);
    return conflictStatus(ctx, c, "prompt " + quoted(name));
}

class PromptServiceImpl final : public pb::PromptService::CallbackService
{
public:
    explicit PromptServiceImpl(SimState &state) : m_state(state) {}

    grpc::ServerUnaryReactor *ListPrompts(grpc::CallbackServerContext *ctx,
                                          const pb::ListPromptsRequest *req,
                                          pb::ListPromptsResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        std::string after;
        if (!req->page_token().empty() && !parsePageToken(req->page_token(), &after))
            return reply(ctx, invalid("page_token: malformed"));
        const uint32_t size = pageSize(req->page_size());
        const std::string query = lower(req->query());
        std::lock_guard lock(m_state.mutex);
        auto it = after.empty() ? m_state.prompts.begin() : m_state.prompts.upper_bound(after);
        for (; it != m_state.prompts.end(); ++it) {
            const pb::Prompt &p = it->second.prompt;
            if (!query.empty() && lower(p.name()).find(query) == std::string::npos &&
                lower(p.description()).find(query) == std::string::npos)
                continue;
            if (uint32_t(resp->prompts_size()) == size) {
                const auto &last = mutated(Mutation::PagingOverlap) && size > 1
                                       ? *(resp->prompts().rbegin() + 1)
                                       : *resp->prompts().rbegin();
                resp->set_next_page_token(makePageToken(last.name()));
                break;
            }
            *resp->add_prompts() = p;
        }
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *GetPrompt(grpc::CallbackServerContext *ctx,
                                        const pb::GetPromptRequest *req,
                                        pb::GetPromptResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        if (req->name().empty())
            return reply(ctx, invalid("name: must not be empty"));
        std::lock_guard lock(m_state.mutex);
        auto it = m_state.prompts.find(req->name());
        if (it == m_state.prompts.end())
            return reply(ctx, notFound("name: prompt " + quoted(req->name()) + " not found"));
        *resp->mutable_prompt() = it->second.prompt;
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *ListPromptVersions(grpc::CallbackServerContext *ctx,
                                                 const pb::ListPromptVersionsRequest *req,
                                                 pb::ListPromptVersionsResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        if (req->prompt_name().empty())
            return reply(ctx, invalid("prompt_name: must not be empty"));
        uint64_t below = 0;
        if (!req->page_token().empty() && !parseNumberToken(req->page_token(), &below))
            return reply(ctx, invalid("page_token: malformed"));
        const uint32_t size = pageSize(req->page_size());
        std::lock_guard lock(m_state.mutex);
        auto it = m_state.prompts.find(req->prompt_name());
        if (it == m_state.prompts.end())
            return reply(
                ctx, notFound("prompt_name: prompt " + quoted(req->prompt_name()) + " not found"));
        const auto &versions = it->second.versions;
        if (mutated(Mutation::VersionsOldestFirst)) {
            for (const auto &ver : versions)
                *resp->add_versions() = ver;
            return reply(ctx, grpc::Status::OK);
        }
        uint64_t v = below ? std::min<uint64_t>(below - 1, versions.size()) : versions.size();
        for (; v >= 1; --v) {
            if (uint32_t(resp->versions_size()) == size) {
                resp->set_next_page_token(makePageToken(std::to_string(v + 1)));
                break;
            }
            *resp->add_versions() = versions[size_t(v - 1)];
        }
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *CreatePromptVersion(grpc::CallbackServerContext *ctx,
                                                  const pb::CreatePromptVersionRequest *req,
                                                  pb::CreatePromptVersionResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        if (auto st = validateNewVersion(*req); !st.ok())
            return reply(ctx, st);
        static const std::string kMethod = "CreatePromptVersion";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        const std::string target = "prompt/" + req->prompt_name();
        auto it = m_state.prompts.find(req->prompt_name());
        if (it == m_state.prompts.end()) {
            if (!req->expected_etag().empty())
                return reply(ctx, notFound("prompt_name: prompt " + quoted(req->prompt_name()) +
                                           " not found (expected_etag given)"));
            if (req->parent_version() != 0)
                return reply(ctx, invalid("parent_version: must be 0 for a new prompt"));
            PromptRec rec;
            rec.prompt.set_name(req->prompt_name());
            rec.prompt.set_description(req->description());
            toTimestamp(now, rec.prompt.mutable_create_time());
            it = m_state.prompts.emplace(req->prompt_name(), std::move(rec)).first;
        } else {
            PromptRec &rec = it->second;
            if (auto st = checkEtag(ctx, req->expected_etag(), rec, req->prompt_name()); !st.ok())
                return reply(ctx, st);
            if (req->parent_version() < 1 || req->parent_version() > rec.prompt.latest_version())
                return reply(ctx, invalid("parent_version: must name an existing version (1.." +
                                          std::to_string(rec.prompt.latest_version()) + ")"));
        }
        PromptRec &rec = it->second;
        pb::PromptVersion v;
        v.set_prompt_name(req->prompt_name());
        v.set_version(rec.prompt.latest_version() + 1);
        v.set_template_(req->template_());
        v.set_model(req->model());
        *v.mutable_parameters() = req->parameters();
        *v.mutable_variables() = req->variables();
        v.set_author(caller.subject);
        v.set_message(req->message());
        v.set_parent_version(req->parent_version());
        toTimestamp(now, v.mutable_create_time());
        rec.versions.push_back(v);
        rec.prompt.set_latest_version(v.version());
        rec.prompt.set_etag(m_state.newEtag());
        toTimestamp(now, rec.prompt.mutable_update_time());
        rec.updatedBy = caller.subject;
        m_state.addAudit(now, caller.subject, roleName(caller.role), "version.create", target,
                         v.version() > 1 ? "v" + std::to_string(v.version() - 1) : "",
                         "v" + std::to_string(v.version()), req->message(), req->request_id());
        *resp->mutable_version() = v;
        *resp->mutable_prompt() = rec.prompt;
        pb::WatchPromptsResponse ev;
        ev.set_kind(pb::PROMPT_EVENT_KIND_VERSION_CREATED);
        *ev.mutable_prompt() = rec.prompt;
        *ev.mutable_version() = v;
        ev.set_actor(caller.subject);
        toTimestamp(now, ev.mutable_time());
        if (!mutated(Mutation::NoLabelEvents))
            m_state.promptEvents.publish(ev);
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *MoveLabel(grpc::CallbackServerContext *ctx,
                                        const pb::MoveLabelRequest *req,
                                        pb::MoveLabelResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        if (req->prompt_name().empty())
            return reply(ctx, invalid("prompt_name: must not be empty"));
        if (!validLabelName(req->label()))
            return reply(ctx, invalid("label: must be 1..64 of lowercase letters, digits, '-'"));
        if (req->version() == 0)
            return reply(ctx, invalid("version: must be at least 1"));
        if (req->request_id().empty())
            return reply(ctx, invalid("request_id: must not be empty"));
        if (req->reason().empty())
            return reply(ctx, invalid("reason: must not be empty"));
        if (req->label() == "production" && caller.role != Role::Admin &&
            !mutated(Mutation::IgnoreRoles))
            return reply(ctx, {grpc::StatusCode::PERMISSION_DENIED,
                               std::string("moving the production label needs role admin; the "
                                           "token has role ") +
                                   roleName(caller.role)});
        static const std::string kMethod = "MoveLabel";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        auto it = m_state.prompts.find(req->prompt_name());
        if (it == m_state.prompts.end())
            return reply(
                ctx, notFound("prompt_name: prompt " + quoted(req->prompt_name()) + " not found"));
        PromptRec &rec = it->second;
        if (req->version() > rec.prompt.latest_version())
            return reply(ctx, notFound("version: prompt " + quoted(req->prompt_name()) +
                                       " has no version " + std::to_string(req->version()) +
                                       " (latest is " +
                                       std::to_string(rec.prompt.latest_version()) + ")"));
        if (auto st = checkEtag(ctx, req->expected_etag(), rec, req->prompt_name()); !st.ok())
            return reply(ctx, st);
        pb::PromptLabel *label = nullptr;
        for (auto &l : *rec.prompt.mutable_labels()) {
            if (l.name() == req->label())
                label = &l;
        }
        const uint32_t previous = label ? label->version() : 0;
        if (!label) {
            label = rec.prompt.add_labels();
            label->set_name(req->label());
        }
        label->set_version(req->version());
        toTimestamp(now, label->mutable_update_time());
        label->set_updated_by(caller.subject);
        rec.prompt.set_etag(m_state.newEtag());
        toTimestamp(now, rec.prompt.mutable_update_time());
        rec.updatedBy = caller.subject;
        m_state.addAudit(now, caller.subject, roleName(caller.role), "label.move",
                         "prompt/" + req->prompt_name(),
                         previous ? req->label() + " -> " + std::to_string(previous) : "",
                         req->label() + " -> " + std::to_string(req->version()), req->reason(),
                         req->request_id());
        *resp->mutable_prompt() = rec.prompt;
        resp->set_previous_version(previous);
        pb::WatchPromptsResponse ev;
        ev.set_kind(pb::PROMPT_EVENT_KIND_LABEL_MOVED);
        *ev.mutable_prompt() = rec.prompt;
        ev.set_label(req->label());
        ev.set_previous_version(previous);
        ev.set_actor(caller.subject);
        toTimestamp(now, ev.mutable_time());
        m_state.promptEvents.publish(ev);
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *RenderPrompt(grpc::CallbackServerContext *ctx,
                                           const pb::RenderPromptRequest *req,
                                           pb::RenderPromptResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        if (req->prompt_name().empty())
            return reply(ctx, invalid("prompt_name: must not be empty"));
        if (!req->label().empty() && req->version() != 0)
            return reply(ctx, invalid("label: set either version or label, not both"));
        pb::PromptVersion version;
        {
            std::lock_guard lock(m_state.mutex);
            auto it = m_state.prompts.find(req->prompt_name());
            if (it == m_state.prompts.end())
                return reply(ctx, notFound("prompt_name: prompt " + quoted(req->prompt_name()) +
                                           " not found"));
            const PromptRec &rec = it->second;
            uint32_t v = req->version() ? req->version() : rec.prompt.latest_version();
            if (!req->label().empty()) {
                v = 0;
                for (const auto &l : rec.prompt.labels()) {
                    if (l.name() == req->label())
                        v = l.version();
                }
                if (!v)
                    return reply(ctx, notFound("label: prompt " + quoted(req->prompt_name()) +
                                               " has no label " + quoted(req->label())));
            }
            if (v == 0 || v > rec.versions.size())
                return reply(ctx, notFound("version: prompt " + quoted(req->prompt_name()) +
                                           " has no version " + std::to_string(v)));
            version = rec.versions[v - 1];
        }
        QMap<QString, QString> values;
        for (const auto &[k, val] : req->variables())
            values.insert(QString::fromStdString(k), QString::fromStdString(val));
        QList<TemplateVariable> declared;
        for (const auto &d : version.variables())
            declared.append({QString::fromStdString(d.name()), d.required(),
                             QString::fromStdString(d.default_value())});
        const RenderResult r =
            renderTemplate(QString::fromStdString(version.template_()), values, declared);
        if (!r.missing.isEmpty())
            return reply(ctx, invalid("variables: missing required variable " +
                                      quoted(r.missing.first().toStdString())));
        resp->set_text(r.text.toStdString());
        resp->set_version(version.version());
        for (const QString &d : r.defaulted)
            resp->add_defaulted_variables(d.toStdString());
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerWriteReactor<pb::WatchPromptsResponse> *
    WatchPrompts(grpc::CallbackServerContext *ctx, const pb::WatchPromptsRequest *req) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return failStream<pb::WatchPromptsResponse>(st);
        std::function<bool(const pb::WatchPromptsResponse &)> filter;
        if (req->prompt_names_size() > 0) {
            std::set<std::string> names(req->prompt_names().begin(), req->prompt_names().end());
            filter = [names](const pb::WatchPromptsResponse &e) {
                return names.count(e.prompt().name()) > 0;
            };
        }
        auto *w = new EventWriter<pb::WatchPromptsResponse>(std::move(filter));
        w->announce();
        m_state.promptEvents.subscribe(w);
        return w;
    }

private:
    SimState &m_state;
};

} // namespace

std::unique_ptr<grpc::Service> makePromptService(SimState &state)
{
    return std::make_unique<PromptServiceImpl>(state);
}

} // namespace sb::sim
