#include "core/series_dictionary.h"

#include <algorithm>
#include <bit>

namespace sb {

SeriesDictionary::SeriesDictionary(std::shared_ptr<SeriesInterner> interner)
    : m_interner(std::move(interner))
{}

void SeriesDictionary::define(Kind kind, quint32 id, const QString &name)
{
    if (id == 0)
        return;
    auto &names = m_names[int(kind)];
    auto it = names.find(id);
    if (it != names.end() && it.value() == name)
        return; // a repeat (the first batch after a resume resends entries)
    names.insert(id, name);
    invalidate(); // cached answers, "unknown" ones included, may now be wrong
}

void SeriesDictionary::clear()
{
    for (auto &names : m_names)
        names.clear();
    invalidate();
}

void SeriesDictionary::invalidate()
{
    // Rebuilt once, on the next resolve: a batch defining many names pays once.
    m_dirty = true;
    m_direct.clear();
    m_lastRoute = m_lastModel = m_lastVariant = 0;
    m_lastId = kNoSeries;
}

bool SeriesDictionary::empty() const
{
    return m_names[0].isEmpty() && m_names[1].isEmpty() && m_names[2].isEmpty();
}

QString SeriesDictionary::name(Kind kind, quint32 id) const
{
    return m_names[int(kind)].value(id);
}

void SeriesDictionary::resetCache()
{
    int total = 0;
    for (int k = 0; k < 3; ++k) {
        quint32 top = 0;
        for (auto it = m_names[k].cbegin(); it != m_names[k].cend(); ++it)
            top = std::max(top, it.key());
        m_bits[k] = int(std::bit_width(top));
        m_outside[k] = m_bits[k] >= 32 ? 0u : ~((quint32(1) << m_bits[k]) - 1);
        total += m_bits[k];
    }
    if (total <= kMaxDirectBits) {
        m_stride[0] = std::size_t(1) << (m_bits[1] + m_bits[2]);
        m_stride[1] = std::size_t(1) << m_bits[2];
        m_direct.assign(std::size_t(1) << total, kUnresolved);
    } else {
        m_direct.clear();
    }
    m_table.assign(64, Entry{0, 0, 0, kNoSeries, false});
    m_dirty = false;
    m_used = 0;
    m_lastRoute = m_lastModel = m_lastVariant = 0;
    m_lastId = kNoSeries;
}

std::size_t SeriesDictionary::hash(quint32 route, quint32 model, quint32 variant)
{
    quint64 h = (quint64(route) << 32 | model) * 0x9E3779B97F4A7C15ull;
    h ^= (quint64(variant) + (h >> 29)) * 0xBF58476D1CE4E5B9ull;
    return std::size_t(h ^ (h >> 32));
}

SeriesId SeriesDictionary::lookup(quint32 route, quint32 model, quint32 variant)
{
    const std::size_t mask = m_table.size() - 1;
    for (std::size_t i = hash(route, model, variant) & mask;; i = (i + 1) & mask) {
        Entry &e = m_table[i];
        if (!e.used)
            break;
        if (e.route == route && e.model == model && e.variant == variant)
            return e.id;
    }
    const SeriesId id = resolveNames(route, model, variant);
    if (m_used >= kMaxEntries)
        resetCache(); // a hostile stream of distinct ids; start over rather than grow
    else if ((m_used + 1) * 2 > m_table.size())
        grow();
    const std::size_t mask2 = m_table.size() - 1;
    std::size_t i = hash(route, model, variant) & mask2;
    while (m_table[i].used)
        i = (i + 1) & mask2;
    m_table[i] = Entry{route, model, variant, id, true};
    ++m_used;
    return id;
}

void SeriesDictionary::grow()
{
    std::vector<Entry> old(m_table.size() * 2, Entry{0, 0, 0, kNoSeries, false});
    old.swap(m_table);
    const std::size_t mask = m_table.size() - 1;
    for (const Entry &e : old) {
        if (!e.used)
            continue;
        std::size_t i = hash(e.route, e.model, e.variant) & mask;
        while (m_table[i].used)
            i = (i + 1) & mask;
        m_table[i] = e;
    }
}

SeriesId SeriesDictionary::resolveNames(quint32 route, quint32 model, quint32 variant) const
{
    SeriesKey key;
    auto routeIt = m_names[int(Kind::Route)].constFind(route);
    if (route == 0 || routeIt == m_names[int(Kind::Route)].cend())
        return kNoSeries;
    key.route = routeIt.value();
    if (model != 0) {
        auto it = m_names[int(Kind::Model)].constFind(model);
        if (it == m_names[int(Kind::Model)].cend())
            return kNoSeries;
        key.model = it.value();
    }
    if (variant != 0) {
        auto it = m_names[int(Kind::Variant)].constFind(variant);
        if (it == m_names[int(Kind::Variant)].cend())
            return kNoSeries;
        key.variant = it.value();
    }
    return m_interner->intern(key);
}

} // namespace sb
