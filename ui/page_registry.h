#pragma once

// The one list of pages: name (for --page and the command palette), title,
// icon, shortcut and factory. The sidebar, the shortcuts and --page all read
// it, so adding a page is one entry here.

#include <QKeySequence>
#include <QString>
#include <functional>
#include <vector>

class QWidget;

namespace sb {

class Console;
class Page;

struct PageSpec
{
    QString name;  // "routing"
    QString title; // "Routing"
    QString icon;  // freedesktop icon name
    QKeySequence shortcut;
    std::function<Page *(Console *, QWidget *)> make;
};

const std::vector<PageSpec> &pageRegistry();
// Index of the page called `name` (case-insensitive), or -1.
int pageIndex(const QString &name);
// "latency, prompts, experiments, routing, audit" for --help.
QString pageNames();

} // namespace sb
