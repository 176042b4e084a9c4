#include "client/profile_file.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sb::profile_file {

namespace {

constexpr auto kFormat = "switchboard-profiles";

QString tr(const char *text)
{
    return QCoreApplication::translate("ProfileFile", text);
}

QJsonValue toJson(profile_fields::Kind kind, const QVariant &v)
{
    switch (kind) {
    case profile_fields::Kind::Flag:
        return v.toBool();
    case profile_fields::Kind::List:
        return QJsonArray::fromStringList(v.toStringList());
    case profile_fields::Kind::Text:
        break;
    }
    return v.toString();
}

// The value as the field's setter takes it, or an invalid QVariant when the
// JSON type is not the field's.
QVariant fromJson(profile_fields::Kind kind, const QJsonValue &v)
{
    switch (kind) {
    case profile_fields::Kind::Flag:
        return v.isBool() ? QVariant(v.toBool()) : QVariant();
    case profile_fields::Kind::List: {
        if (!v.isArray())
            return {};
        QStringList out;
        for (const QJsonValue &e : v.toArray()) {
            if (!e.isString())
                return {};
            out << e.toString();
        }
        return out;
    }
    case profile_fields::Kind::Text:
        break;
    }
    return v.isString() ? QVariant(v.toString()) : QVariant();
}

// Member names that would hold a secret: never read, and the profile is
// refused so the user notices the file leaks one.
bool namesSecret(const QString &key)
{
    static const QStringList words = {
        QStringLiteral("token"),      QStringLiteral("password"),  QStringLiteral("secret"),
        QStringLiteral("privatekey"), QStringLiteral("clientkey"), QStringLiteral("key"),
        QStringLiteral("apikey"),     QStringLiteral("bearer"),    QStringLiteral("authorization")};
    return words.contains(key.toLower());
}

bool holdsKeyMaterial(const QJsonValue &v)
{
    if (v.isString())
        return v.toString().contains(QLatin1String("-----BEGIN"));
    if (v.isArray()) {
        for (const QJsonValue &e : v.toArray()) {
            if (holdsKeyMaterial(e))
                return true;
        }
    }
    return false;
}

// "" and the profile, or the reason it is refused.
QString readProfile(const QJsonObject &o, ConnectionProfile *p, QStringList *unknown)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (namesSecret(it.key()))
            return tr("it carries a secret (\"%1\"); profile files never hold tokens or keys: "
                      "remove it and keep the token in the keychain or an environment variable")
                .arg(it.key());
        if (holdsKeyMaterial(it.value()))
            return tr("\"%1\" holds PEM key material; a profile names certificate files by "
                      "path")
                .arg(it.key());
    }
    for (const auto &f : profile_fields::all()) {
        const QString key = QLatin1String(f.key);
        if (!o.contains(key))
            continue;
        const QVariant v = fromJson(f.kind, o.value(key));
        if (!v.isValid() || !f.set(*p, v))
            return tr("\"%1\" must be %2").arg(key, QLatin1String(f.expected));
    }
    for (auto it = o.begin(); it != o.end(); ++it) {
        bool known = false;
        for (const auto &f : profile_fields::all())
            known = known || it.key() == QLatin1String(f.key);
        if (!known)
            unknown->append(it.key());
    }
    return p->validate();
}

} // namespace

QByteArray write(const std::vector<ConnectionProfile> &profiles)
{
    QJsonArray list;
    for (const auto &p : profiles) {
        if (p.builtIn)
            continue;
        QJsonObject o;
        for (const auto &f : profile_fields::all())
            o.insert(QLatin1String(f.key), toJson(f.kind, f.get(p)));
        list.append(o);
    }
    const QJsonObject root{{QStringLiteral("format"), QLatin1String(kFormat)},
                           {QStringLiteral("version"), kVersion},
                           {QStringLiteral("profiles"), list}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

ReadResult read(const QByteArray &bytes)
{
    ReadResult r;
    if (bytes.size() > kMaxBytes) {
        r.error = tr("The file is larger than 1 MiB: it is not a Switchboard profiles file.");
        return r;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        r.error = tr("The file is not valid JSON (%1 at byte %2).")
                      .arg(parseError.errorString())
                      .arg(parseError.offset);
        return r;
    }
    const QJsonObject root = doc.object();
    if (!doc.isObject() ||
        root.value(QStringLiteral("format")).toString() != QLatin1String(kFormat)) {
        r.error = tr("The file is JSON but not a Switchboard profiles file (it has no "
                     "\"format\": \"%1\").")
                      .arg(QLatin1String(kFormat));
        return r;
    }
    const QJsonValue version = root.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != kVersion) {
        r.error = version.isDouble() && version.toDouble() > kVersion
                      ? tr("The file was written by a newer Switchboard (format version %1; this "
                           "one reads version %2): update Switchboard to import it.")
                            .arg(version.toDouble())
                            .arg(kVersion)
                      : tr("The file's format version is not one Switchboard knows (expected %1).")
                            .arg(kVersion);
        return r;
    }
    const QJsonValue list = root.value(QStringLiteral("profiles"));
    if (!list.isArray()) {
        r.error = tr("The file has no \"profiles\" list.");
        return r;
    }
    const QJsonArray profiles = list.toArray();
    if (profiles.size() > kMaxProfiles) {
        r.error = tr("The file lists %1 profiles; at most %2 are imported at once.")
                      .arg(profiles.size())
                      .arg(kMaxProfiles);
        return r;
    }
    QStringList unknown;
    for (qsizetype i = 0; i < profiles.size(); ++i) {
        const QJsonObject o = profiles[i].toObject();
        const QString name = o.value(QStringLiteral("name")).toString();
        const QString where = name.isEmpty() ? tr("Profile %1").arg(i + 1)
                                             : tr("Profile %1 (\"%2\")").arg(i + 1).arg(name);
        if (!profiles[i].isObject()) {
            r.refused << tr("%1: not an object with the profile's fields.").arg(where);
            continue;
        }
        ConnectionProfile p;
        const QString why = readProfile(o, &p, &unknown);
        if (!why.isEmpty())
            r.refused << tr("%1: %2.").arg(where, why);
        else if (findProfile(r.profiles, p.name))
            r.refused << tr("%1: the file has another profile of that name before it.").arg(where);
        else
            r.profiles.push_back(p);
    }
    unknown.removeDuplicates();
    if (!unknown.isEmpty())
        r.notes << tr("Ignored fields this version does not know: %1.")
                       .arg(unknown.join(QStringLiteral(", ")));
    return r;
}

MergeResult merge(const std::vector<ConnectionProfile> &existing,
                  const std::vector<ConnectionProfile> &imported)
{
    MergeResult m;
    m.profiles = existing;
    for (ConnectionProfile p : imported) {
        const ConnectionProfile *same = findProfile(m.profiles, p.name);
        if (same && *same == p) {
            m.unchanged << p.name;
            continue;
        }
        if (same) {
            const QString original = p.name;
            p.name = tr("%1 (imported)").arg(original);
            for (int n = 2; findProfile(m.profiles, p.name); ++n)
                p.name = tr("%1 (imported %2)").arg(original).arg(n);
            m.renamed << tr("\"%1\" as \"%2\"").arg(original, p.name);
        }
        m.added << p.name;
        if (p.tokenSource == ConnectionProfile::TokenSource::Keychain)
            m.needToken << p.name;
        m.profiles.push_back(p);
    }
    return m;
}

QString MergeResult::summary() const
{
    const auto names = [](const QStringList &l) {
        QStringList quoted;
        for (const QString &n : l)
            quoted << QLatin1Char('"') + n + QLatin1Char('"');
        return quoted.join(QStringLiteral(", "));
    };
    QStringList parts;
    if (added.isEmpty())
        parts << tr("No profile added.");
    else
        parts << tr("Added %1 profile(s): %2.").arg(added.size()).arg(names(added));
    if (!renamed.isEmpty())
        parts << tr("A different profile already had the name, so imported %1.")
                     .arg(renamed.join(QStringLiteral(", ")));
    if (!unchanged.isEmpty())
        parts << tr("Already here and identical: %1.").arg(names(unchanged));
    if (!needToken.isEmpty())
        parts << tr("Type the token of %1: tokens stay in the keychain they were kept in.")
                     .arg(names(needToken));
    return parts.join(QLatin1Char(' '));
}

} // namespace sb::profile_file
