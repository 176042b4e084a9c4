#include "ui/audit/audit_page.h"

#include "core/clock.h"
#include "ui/audit/audit_controller.h"
#include "ui/common/privacy.h"
#include "ui/common/stale_banner.h"
#include "ui/common/table_setup.h"
#include "ui/session.h"

#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QTableView>
#include <QVBoxLayout>

namespace sb {

AuditPage::AuditPage(Session *session, AuditController *controller, QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_banner(new StaleBanner(this)),
      m_target(new QLineEdit(this)), m_actor(new QLineEdit(this)), m_text(new QLineEdit(this)),
      m_range(new QComboBox(this)), m_table(new QTableView(this)), m_filter(new AuditFilter(this)),
      m_count(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("auditTable"));
    setupTable(m_table, controller->model());
    // Filter between the model and the sorting proxy setupTable made.
    auto *sorter = qobject_cast<QSortFilterProxyModel *>(m_table->model());
    m_filter->setSourceModel(controller->model());
    sorter->setSourceModel(m_filter);
    m_target->setObjectName(QStringLiteral("auditTargetFilter"));
    m_target->setPlaceholderText(tr("Target, e.g. route/chat"));
    m_actor->setObjectName(QStringLiteral("auditActorFilter"));
    m_actor->setPlaceholderText(tr("Who"));
    m_text->setObjectName(QStringLiteral("auditTextFilter"));
    m_text->setPlaceholderText(tr("Search reason, values, action…"));
    m_text->setClearButtonEnabled(true);
    m_range->setObjectName(QStringLiteral("auditRange"));
    m_range->addItem(tr("Last 15 minutes"), 15 * 60);
    m_range->addItem(tr("Last hour"), 3600);
    m_range->addItem(tr("Last 24 hours"), 86400);
    m_range->addItem(tr("Last 7 days"), 7 * 86400);
    m_range->addItem(tr("All time"), 0);
    m_range->setCurrentIndex(3);
    m_count->setObjectName(QStringLiteral("auditCount"));
    auto *exportButton =
        new QPushButton(QIcon::fromTheme(QStringLiteral("document-save")), tr("Export CSV…"), this);
    exportButton->setObjectName(QStringLiteral("auditExport"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_text, 2);
    bar->addWidget(m_target, 1);
    bar->addWidget(m_actor, 1);
    bar->addWidget(m_range);
    bar->addWidget(exportButton);
    setFocusProxy(m_table);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_count);
    auto count = [this] {
        const int all = m_controller->model()->rowCount();
        const int shown = m_filter->rowCount();
        m_count->setText(shown == all ? tr("%1 events").arg(all)
                                      : tr("Showing %1 of %2 events; widen the range or clear "
                                           "the filters to see the rest")
                                            .arg(shown)
                                            .arg(all));
    };
    connect(m_filter, &QAbstractItemModel::modelReset, this, count);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, count);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, count);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, count);

    connect(m_target, &QLineEdit::textChanged, m_filter, &AuditFilter::setTarget);
    connect(m_actor, &QLineEdit::textChanged, m_filter, &AuditFilter::setActor);
    connect(m_text, &QLineEdit::textChanged, m_filter, &AuditFilter::setText);
    connect(m_range, &QComboBox::currentIndexChanged, this, &AuditPage::applyRange);
    connect(controller->model(), &QAbstractItemModel::modelReset, this, [this] {
        fitColumns(m_table, 70, 300);
        applyRange(); // "last hour" moves on with the clock
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        auto *dialog =
            new QFileDialog(this, tr("Export audit log"), QString(), tr("CSV files (*.csv)"));
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        dialog->setDefaultSuffix(QStringLiteral("csv"));
        dialog->selectFile(
            QStringLiteral("switchboard-audit-%1.csv")
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
            QString error;
            if (exportCsv(path, &error))
                emit m_session->message(tr("Audit log exported to %1").arg(path));
            else
                emit m_session->message(tr("Export failed: %1").arg(error));
        });
        dialog->open();
    });
    applyRange();
}

void AuditPage::applyRange()
{
    const qint64 secs = m_range->currentData().toLongLong();
    m_filter->setSinceMs(secs > 0 ? clock::nowMs() - secs * 1000 : 0);
}

bool AuditPage::exportCsv(const QString &path, QString *error) const
{
    // The visible rows in the order shown (sorting applies on top of the filter).
    auto *sorter = qobject_cast<QSortFilterProxyModel *>(m_table->model());
    std::vector<AuditModel::Row> rows;
    const auto &all = m_controller->model()->rows();
    for (int i = 0; i < sorter->rowCount(); ++i) {
        const QModelIndex f = sorter->mapToSource(sorter->index(i, 0));
        const QModelIndex src = m_filter->mapToSource(f);
        rows.push_back(all[std::size_t(src.row())]);
    }
    // Written whole or not at all: a full disk leaves no half file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    // Exported while presenting: masked like the table it came from.
    file.write(privacy::masked(AuditModel::toCsv(rows)).toUtf8());
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void AuditPage::updateFreshness()
{
    const Freshness f = m_controller->freshness();
    m_banner->update(f.live, f.fetchedMs, m_session->staleReason(), m_session->cachedFrom());
}

} // namespace sb
