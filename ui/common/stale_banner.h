#pragma once

// StaleBanner: a strip above a page saying the data shown is cached, how old
// it is, and why (not connected), so nobody mistakes history for live state.

#include <QLabel>

namespace sb {

class StaleBanner : public QLabel
{
    Q_OBJECT
public:
    explicit StaleBanner(QWidget *parent = nullptr);
    // live: data came from the service and it is reachable. fetchedMs: when
    // the shown data was fetched (0 = never). reason: why it is not live.
    // cachedFrom: the endpoint the cached data belongs to, when not this one.
    void update(bool live, qint64 fetchedMs, const QString &reason, const QString &cachedFrom = {});
};

} // namespace sb
