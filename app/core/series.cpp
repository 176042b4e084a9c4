#include "core/series.h"

#include <QStringList>

namespace sb {

QString SeriesKey::label() const
{
    QStringList parts{route};
    if (!model.isEmpty())
        parts << model;
    if (!variant.isEmpty())
        parts << variant;
    return parts.join(QStringLiteral(" \u00b7 "));
}

size_t qHash(const SeriesKey &key, size_t seed) noexcept
{
    return qHashMulti(seed, key.route, key.model, key.variant);
}

SeriesId SeriesInterner::intern(const SeriesKey &key)
{
    std::lock_guard lock(m_mutex);
    auto it = m_ids.constFind(key);
    if (it != m_ids.cend())
        return it.value();
    const auto id = SeriesId(m_keys.size());
    m_keys.push_back(key);
    m_ids.insert(key, id);
    return id;
}

SeriesId SeriesInterner::find(const SeriesKey &key) const
{
    std::lock_guard lock(m_mutex);
    return m_ids.value(key, kNoSeries);
}

std::optional<SeriesKey> SeriesInterner::key(SeriesId id) const
{
    std::lock_guard lock(m_mutex);
    if (id >= m_keys.size())
        return std::nullopt;
    return m_keys[id];
}

std::size_t SeriesInterner::size() const
{
    std::lock_guard lock(m_mutex);
    return m_keys.size();
}

void SeriesAggregate::merge(const SeriesAggregate &other)
{
    count += other.count;
    errors += other.errors;
    fallbacks += other.fallbacks;
    tokens += other.tokens;
    tokenSamples += other.tokenSamples;
    latency.merge(other.latency);
    ttft.merge(other.ttft);
}

} // namespace sb
