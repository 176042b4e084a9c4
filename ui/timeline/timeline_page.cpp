#include "ui/timeline/timeline_page.h"

#include "core/clock.h"
#include "core/event_bundle.h"
#include "ui/common/event_log.h"
#include "ui/common/privacy.h"
#include "ui/common/table_setup.h"
#include "ui/console.h"
#include "ui/latency/chart_markers.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"
#include "ui/timeline/incident_export.h"
#include "ui/timeline/note_dialog.h"
#include "ui/timeline/timeline_model.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace sb {

namespace {

constexpr qint64 kMinute = 60 * 1000;
// The range presets: label and span back from now (0 = all, -1 = custom).
const std::pair<const char *, qint64> kRanges[] = {
    {QT_TRANSLATE_NOOP("sb::TimelinePage", "All"), 0},
    {QT_TRANSLATE_NOOP("sb::TimelinePage", "Last 15 minutes"), 15 * kMinute},
    {QT_TRANSLATE_NOOP("sb::TimelinePage", "Last hour"), 60 * kMinute},
    {QT_TRANSLATE_NOOP("sb::TimelinePage", "Last 6 hours"), 360 * kMinute},
    {QT_TRANSLATE_NOOP("sb::TimelinePage", "Last 24 hours"), 1440 * kMinute},
    {QT_TRANSLATE_NOOP("sb::TimelinePage", "Custom"), -1},
};

struct ImportResult
{
    BundleDecode decode;
    QString readError;
};

} // namespace

TimelinePage::TimelinePage(Console *console, QWidget *parent)
    : Page(parent), m_console(console), m_events(console->events()),
      m_model(new TimelineModel(this)), m_table(new QTableView(this)),
      m_details(new QPlainTextEdit(this)), m_target(new QLineEdit(this)),
      m_range(new QComboBox(this)), m_from(new QDateTimeEdit(this)), m_to(new QDateTimeEdit(this)),
      m_status(new QLabel(this))
{
    auto *kinds = new QHBoxLayout;
    kinds->setSpacing(4);
    kinds->addWidget(new QLabel(tr("Show:"), this));
    for (int k = 0; k < int(EventKind::NB_KINDS); ++k) {
        auto *b = new QToolButton(this);
        b->setText(kindLabel(EventKind(k)));
        b->setCheckable(true);
        b->setChecked(true);
        // The kind's colour, as on the charts.
        QPixmap swatch(12, 12);
        swatch.fill(ChartMarkers::kindColor(k));
        b->setIcon(QIcon(swatch));
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setToolTip(tr("Show or hide %1 events").arg(kindLabel(EventKind(k)).toLower()));
        connect(b, &QToolButton::toggled, this, &TimelinePage::applyFilter);
        kinds->addWidget(b);
        m_kindButtons.insert(k, b);
    }
    kinds->addStretch(1);
    m_target->setPlaceholderText(tr("Filter by route or target…"));
    m_target->setClearButtonEnabled(true);
    connect(m_target, &QLineEdit::textChanged, this, &TimelinePage::applyFilter);
    for (const auto &[label, span] : kRanges)
        m_range->addItem(tr(label), span);
    for (QDateTimeEdit *e : {m_from, m_to}) {
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        e->setCalendarPopup(true);
        e->setVisible(false);
        connect(e, &QDateTimeEdit::dateTimeChanged, this, &TimelinePage::applyFilter);
    }
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] {
        const bool custom = m_range->currentData().toLongLong() < 0;
        if (custom && m_from->dateTime() >= m_to->dateTime()) {
            const QDateTime now = QDateTime::currentDateTime();
            m_to->setDateTime(now);
            m_from->setDateTime(now.addSecs(-3600));
        }
        m_from->setVisible(custom);
        m_to->setVisible(custom);
        applyFilter();
    });

    auto *noteAction = new QAction(tr("Add note…"), this);
    noteAction->setObjectName(QStringLiteral("timeline-note"));
    noteAction->setToolTip(tr("a note on the timeline at now (Ctrl+M anywhere)"));
    connect(noteAction, &QAction::triggered, this,
            [this] { NoteDialog::ask(this, m_events, clock::nowMs()); });
    auto *exportAction = new QAction(tr("Export incident…"), this);
    exportAction->setObjectName(QStringLiteral("timeline-export"));
    exportAction->setToolTip(tr("a post-mortem draft (Markdown, chart PNGs) and a JSON bundle of "
                                "the shown range"));
    connect(exportAction, &QAction::triggered, this, &TimelinePage::chooseExport);
    auto *importAction = new QAction(tr("Import incident…"), this);
    importAction->setObjectName(QStringLiteral("timeline-import"));
    importAction->setToolTip(tr("an incident bundle (JSON) exported by another console"));
    connect(importAction, &QAction::triggered, this, &TimelinePage::chooseImport);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_target, 1);
    bar->addWidget(m_range);
    bar->addWidget(m_from);
    bar->addWidget(m_to);
    for (QAction *a : {noteAction, exportAction, importAction}) {
        auto *b = new QToolButton(this);
        b->setDefaultAction(a);
        bar->addWidget(b);
    }

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    // "What" takes the room: it is what people read; "Seen on" is a detail.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(TimelineModel::What, QHeaderView::Stretch);
    m_table->setAlternatingRowColors(true);
    keepSelection(m_table, [this](const QModelIndex &i) {
        const TimelineEvent *e = m_model->eventAt(i.row());
        return e ? e->id : QString();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &TimelinePage::showDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TimelinePage::showDetails);
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select an event to see its details."));
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);

    m_status->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(kinds);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
    setFocusProxy(m_table);

    connect(m_events, &EventLog::changed, this, [this] {
        m_model->setEvents(m_events->events());
        fitColumns(m_table);
    });
    connect(privacy::notifier(), &privacy::Notifier::changed, this,
            [this] { m_model->setEvents(m_events->events()); });
    m_model->setEvents(m_events->events());
    applyFilter();
}

void TimelinePage::applyFilter()
{
    TimelineFilter f;
    for (auto it = m_kindButtons.begin(); it != m_kindButtons.end(); ++it)
        f.hiddenKinds[std::size_t(it.key())] = !it.value()->isChecked();
    f.target = m_target->text().trimmed();
    const qint64 span = m_range->currentData().toLongLong();
    if (span > 0) {
        f.fromMs = clock::nowMs() - span;
    } else if (span < 0) {
        f.fromMs = m_from->dateTime().toMSecsSinceEpoch();
        f.toMs = m_to->dateTime().toMSecsSinceEpoch();
    }
    m_model->setFilter(f);
    fitColumns(m_table);
}

void TimelinePage::showDetails()
{
    const TimelineEvent *e = m_model->eventAt(m_table->currentIndex().row());
    if (!e) {
        m_details->clear();
        return;
    }
    QString text = QStringLiteral("%1\n%2 · %3 · by %4 · seen on %5\n")
                       .arg(e->summary, kindLabel(e->kind),
                            QDateTime::fromMSecsSinceEpoch(e->timeMs).toString(Qt::ISODateWithMs),
                            e->actor, e->source);
    if (e->isRange())
        text += tr("until %1\n")
                    .arg(QDateTime::fromMSecsSinceEpoch(e->endMs).toString(Qt::ISODateWithMs));
    if (!e->target.isEmpty())
        text += tr("target: %1\n").arg(e->target);
    text += QLatin1Char('\n') +
            QString::fromUtf8(QJsonDocument(e->payload).toJson(QJsonDocument::Indented));
    m_details->setPlainText(privacy::masked(text));
}

std::pair<qint64, qint64> TimelinePage::exportRange() const
{
    const TimelineFilter &f = m_model->filter();
    const qint64 now = clock::nowMs();
    if (f.fromMs)
        return {f.fromMs, f.toMs ? f.toMs : now};
    qint64 lo = now, hi = 0;
    for (const auto &e : m_model->shown()) {
        lo = std::min(lo, e.timeMs);
        hi = std::max({hi, e.timeMs, e.endMs});
    }
    if (!hi)
        return {now - 15 * kMinute, now};
    return {lo - kMinute, std::min(now, hi + kMinute)};
}

void TimelinePage::chooseExport()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Export incident into folder"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    if (dir.isEmpty())
        return;
    const auto [from, to] = exportRange();
    exportTo(dir, QStringLiteral("incident-%1")
                      .arg(QDateTime::fromMSecsSinceEpoch(from, Qt::UTC)
                               .toString(QStringLiteral("yyyyMMdd-HHmm"))));
}

void TimelinePage::exportTo(const QString &dir, const QString &base)
{
    if (m_export) {
        m_status->setText(tr("An export is still being written."));
        return;
    }
    QStringList routes;
    for (const auto &r : m_console->routing()->model()->table().routes)
        routes << r.name;
    // The routes the shown events are about go first.
    for (const auto &e : m_model->shown()) {
        if (e.target.startsWith(QLatin1String("route/"))) {
            const QString r = e.target.mid(6);
            routes.removeAll(r);
            routes.prepend(r);
        }
    }
    const auto [from, to] = exportRange();
    m_export = new IncidentExport(m_console->session(), m_events, routes, this);
    connect(m_export, &IncidentExport::finished, this,
            [this, dir, base](bool ok, const QString &error) {
                const QString path = dir + QLatin1Char('/') + base + QStringLiteral(".md");
                m_status->setText(
                    ok ? tr("Exported the incident to %1 (with its charts and "
                            "%2.json).")
                             .arg(privacy::masked(path), base)
                       : tr("The incident could not be exported: %1").arg(privacy::masked(error)));
                m_export->deleteLater();
                emit exported(ok, path, error);
            });
    m_status->setText(tr("Exporting the incident…"));
    m_export->start(dir, base, from, to);
}

void TimelinePage::chooseImport()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import incident"), QString(),
                                                      tr("Incident bundles (*.json)"));
    if (!path.isEmpty())
        importFrom(path);
}

void TimelinePage::importFrom(const QString &path)
{
    // Read and decoded on a pool thread: a big or slow file never stalls the window.
    auto *watcher = new QFutureWatcher<ImportResult>(this);
    connect(watcher, &QFutureWatcher<ImportResult>::finished, this, [this, watcher, path] {
        const ImportResult r = watcher->result();
        watcher->deleteLater();
        const QString name = QFileInfo(path).fileName();
        QString error = r.readError.isEmpty() ? r.decode.error : r.readError;
        if (!r.decode.bundle || !r.readError.isEmpty()) {
            m_status->setText(tr("Could not import %1: %2").arg(name, error));
            emit imported(false, 0, m_status->text());
            return;
        }
        const auto events = importedEvents(*r.decode.bundle, name);
        m_events->record(events);
        m_status->setText(tr("Imported %n event(s) from %1 (exported from %2); they are marked "
                             "\"import (%1)\".",
                             nullptr, int(events.size()))
                              .arg(name, privacy::masked(r.decode.bundle->origin)));
        emit imported(true, int(events.size()), {});
    });
    watcher->setFuture(QtConcurrent::run([path] {
        ImportResult r;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            r.readError = f.errorString();
            return r;
        }
        if (f.size() > EventBundle::kMaxBytes) {
            r.readError = QStringLiteral("the file is larger than an incident bundle can be.");
            return r;
        }
        r.decode = decodeBundle(f.readAll());
        return r;
    }));
}

void TimelinePage::addCommands(std::vector<CommandEntry> &out)
{
    for (int k = 0; k < int(EventKind::NB_KINDS); ++k) {
        QToolButton *b = m_kindButtons.value(k);
        out.push_back({.id = QStringLiteral("timeline:kind:") + kindName(EventKind(k)),
                       .title = (b->isChecked() ? tr("Hide %1 events") : tr("Show %1 events"))
                                    .arg(kindLabel(EventKind(k)).toLower()),
                       .kind = tr("Timeline"),
                       .detail = tr("on the Timeline page"),
                       .run = [b] { b->toggle(); }});
    }
}

} // namespace sb
