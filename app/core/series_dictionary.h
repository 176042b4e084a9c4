#pragma once

// SeriesDictionary: maps one stream's small integer ids (route, model,
// variant, as defined by the dictionary entries the service sends) to stable
// SeriesIds. A stream's ids change when the service restarts; the names, and so
// the SeriesIds, do not.
//
// resolve() is the per-sample path. Services number their names densely from
// 1, so while the defined ids span at most kMaxDirect triples the answer is
// one load from a flat table indexed by the three ids (an id beyond the
// largest defined one is unknown without looking). Otherwise (a service with
// huge ids) the previous triple is remembered and a bounded open-addressing
// table of integer triples is probed. Only a triple never seen before touches
// names and the interner (one string hash per new combination, never per
// sample). Unknown ids resolve to kNoSeries, and that answer is cached too, so
// a flood of them stays cheap; caches forget everything when a name is defined.
//
// Id 0 means "none": a model or variant of 0 is the empty name, a route of 0
// (every sample has a route) is unknown.

#include "core/series.h"

#include <QHash>
#include <memory>

namespace sb {

class SeriesDictionary
{
public:
    enum class Kind
    {
        Route,
        Model,
        Variant
    };

    explicit SeriesDictionary(std::shared_ptr<SeriesInterner> interner);

    // An id defined twice takes the newer name. Id 0 is ignored.
    void define(Kind kind, quint32 id, const QString &name);
    // Forgets every definition (a new stream epoch renumbers ids).
    void clear();
    bool empty() const;
    QString name(Kind kind, quint32 id) const;

    SeriesId resolve(quint32 route, quint32 model, quint32 variant)
    {
        if (!m_direct.empty()) [[likely]] {
            if ((route & m_outside[0]) | (model & m_outside[1]) | (variant & m_outside[2]))
                return kNoSeries; // beyond every defined id
            const std::size_t index =
                std::size_t(route) * m_stride[0] + std::size_t(model) * m_stride[1] + variant;
            const SeriesId id = m_direct[index];
            if (id != kUnresolved) [[likely]]
                return id;
            return m_direct[index] = resolveNames(route, model, variant);
        }
        if (m_dirty) [[unlikely]] {
            resetCache();
            return resolve(route, model, variant);
        }
        if (route == m_lastRoute && model == m_lastModel && variant == m_lastVariant)
            return m_lastId;
        const SeriesId id = lookup(route, model, variant);
        m_lastRoute = route;
        m_lastModel = model;
        m_lastVariant = variant;
        m_lastId = id;
        return id;
    }

    SeriesInterner &interner() { return *m_interner; }

private:
    struct Entry
    {
        quint32 route;
        quint32 model;
        quint32 variant;
        SeriesId id;
        bool used;
    };
    static constexpr std::size_t kMaxEntries = std::size_t(1) << 16;
    static constexpr int kMaxDirectBits = 18; // 1 MB of table at most
    static constexpr SeriesId kUnresolved = kNoSeries - 1;

    SeriesId lookup(quint32 route, quint32 model, quint32 variant);
    SeriesId resolveNames(quint32 route, quint32 model, quint32 variant) const;
    void resetCache();
    void invalidate();
    void grow();
    static std::size_t hash(quint32 route, quint32 model, quint32 variant);

    std::shared_ptr<SeriesInterner> m_interner;
    QHash<quint32, QString> m_names[3];
    // Bits of the largest defined id of each kind (route, model, variant).
    int m_bits[3] = {0, 0, 0};
    quint32 m_outside[3] = {~0u, ~0u, ~0u}; // bits no defined id of the kind has
    std::size_t m_stride[2] = {0, 0};       // of route and model in m_direct
    bool m_dirty = true;                    // names changed: caches are rebuilt on the next resolve
    std::vector<SeriesId> m_direct;         // empty when the ids are too sparse for it
    std::vector<Entry> m_table;
    std::size_t m_used = 0;
    quint32 m_lastRoute = 0;
    quint32 m_lastModel = 0;
    quint32 m_lastVariant = 0;
    SeriesId m_lastId = kNoSeries;
};

} // namespace sb
