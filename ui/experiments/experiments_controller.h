#pragma once

// ExperimentsController: the Experiments capability without widgets: the
// experiment list, its freshness and cache writes.

#include "ui/experiments/experiment_list_model.h"
#include "ui/session.h"

#include <QObject>
#include <QTimer>

namespace sb {

class ExperimentsClient;
struct CacheSnapshot;

class ExperimentsController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 30000;

    explicit ExperimentsController(Session *session, QObject *parent = nullptr);

    ExperimentListModel *experiments() { return &m_model; }
    void refresh();
    Freshness freshness() const;

signals:
    void freshnessChanged();

private:
    Session *m_session;
    ExperimentsClient *m_client;
    ExperimentListModel m_model;
    Freshness m_fresh;
    QTimer m_timer;
};

} // namespace sb
