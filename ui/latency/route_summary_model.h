#pragma once

// One row per route with its latest latency figures, so on-call sees at a
// glance which route is slow or failing before picking one to chart.

#include <QAbstractTableModel>
#include <QStringList>

namespace sb {

class LatencyHistory;

class RouteSummaryModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Route,
        Throughput,
        ErrorRate,
        Fallbacks,
        P50,
        P95,
        P99,
        Ttft,
        NB_COLUMNS
    };
    // Throughput and rates are averaged over this many recent seconds.
    static constexpr int kAverageSeconds = 10;

    explicit RouteSummaryModel(LatencyHistory *history, QObject *parent = nullptr);

    QString routeAt(int row) const;
    int rowOf(const QString &route) const;
    // Whether the stream is delivering now. Not live (a disconnect, a
    // restart), every row reads as stopped at once: rates blank, quantiles
    // muted, instead of old numbers looking live until they age out.
    void setLive(bool live);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    void onChanged(const QString &route);

    LatencyHistory *m_history;
    QStringList m_routes;
    bool m_live = true;
};

} // namespace sb
