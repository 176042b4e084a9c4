#include "ui/page_registry.h"

#include "ui/audit/audit_page.h"
#include "ui/console.h"
#include "ui/experiments/experiments_page.h"
#include "ui/latency/latency_page.h"
#include "ui/prompts/prompts_page.h"
#include "ui/routing/routing_page.h"
#include "ui/timeline/timeline_page.h"

#include <QCoreApplication>

namespace sb {

const std::vector<PageSpec> &pageRegistry()
{
    static const std::vector<PageSpec> pages = [] {
        const auto tr = [](const char *s) { return QCoreApplication::translate("sb::Pages", s); };
        return std::vector<PageSpec>{
            {QStringLiteral("latency"), tr("Latency"), QStringLiteral("utilities-system-monitor"),
             QKeySequence(Qt::CTRL | Qt::Key_1),
             [](Console *c, QWidget *p) -> Page * {
                 auto *page = new LatencyPage(c->session(), c->latency(), p);
                 page->setTimeline(c->events()); // markers and bands from the timeline
                 return page;
             }},
            {QStringLiteral("prompts"), tr("Prompts"), QStringLiteral("accessories-text-editor"),
             QKeySequence(Qt::CTRL | Qt::Key_2),
             [](Console *c, QWidget *p) -> Page * {
                 return new PromptsPage(c->session(), c->prompts(), p);
             }},
            {QStringLiteral("experiments"), tr("Experiments"), QStringLiteral("view-statistics"),
             QKeySequence(Qt::CTRL | Qt::Key_3),
             [](Console *c, QWidget *p) -> Page * {
                 return new ExperimentsPage(c->session(), c->experiments(), p);
             }},
            {QStringLiteral("routing"), tr("Routing"), QStringLiteral("network-workgroup"),
             QKeySequence(Qt::CTRL | Qt::Key_4),
             [](Console *c, QWidget *p) -> Page * {
                 return new RoutingPage(c->session(), c->routing(), p);
             }},
            {QStringLiteral("audit"), tr("Audit"), QStringLiteral("document-properties"),
             QKeySequence(Qt::CTRL | Qt::Key_5),
             [](Console *c, QWidget *p) -> Page * {
                 return new AuditPage(c->session(), c->audit(), p);
             }},
            {QStringLiteral("timeline"), tr("Timeline"), QStringLiteral("view-calendar-timeline"),
             QKeySequence(Qt::CTRL | Qt::Key_6),
             [](Console *c, QWidget *p) -> Page * { return new TimelinePage(c, p); }},
        };
    }();
    return pages;
}

int pageIndex(const QString &name)
{
    const auto &pages = pageRegistry();
    for (std::size_t i = 0; i < pages.size(); ++i) {
        if (pages[i].name.compare(name, Qt::CaseInsensitive) == 0)
            return int(i);
    }
    return -1;
}

QString pageNames()
{
    QStringList names;
    for (const auto &p : pageRegistry())
        names << p.name;
    return names.join(QStringLiteral(", "));
}

} // namespace sb
