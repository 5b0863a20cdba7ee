#pragma once

#include <QSortFilterProxyModel>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QTimer;
class QToolButton;

namespace kpw {

class DeliveryReportModel;

// Filters and sorts DeliveryReportModel rows without building strings:
// status (all / ok / failed), topic, partition, and a free text searched in
// the topic, key, offset and status. Sorting compares the stored numbers.
class DeliveryReportFilter final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    enum class Status { All, Ok, Failed };

    explicit DeliveryReportFilter(QObject *parent = nullptr);

    void setReportModel(DeliveryReportModel *model);
    DeliveryReportModel *reportModel() const { return m_model; }

    void setStatus(Status status);
    void setTopic(const QString &topic); // empty: every topic
    void setPartition(int partition);    // -1: every partition
    void setText(const QString &text);
    bool isFiltering() const;

    // The source rows behind the proxy rows, in the proxy's order.
    QList<int> sourceRows() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void refilter();

    DeliveryReportModel *m_model = nullptr;
    Status m_status = Status::All;
    QString m_topic;
    int m_topicIndex = -1;
    int m_partition = -1;
    QString m_text;
};

// The delivery-report table with its filter bar, copy (Ctrl+C as TSV),
// exports (CSV, JSONL; all rows or the filtered ones), a context menu
// (re-send, load into the composer) and auto-scroll on a timer while the
// user stays at the bottom.
class DeliveryReportView final : public QWidget
{
    Q_OBJECT

public:
    explicit DeliveryReportView(DeliveryReportModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    DeliveryReportFilter *filter() const { return m_filter; }

    // Report ids of the selected rows, in the table's order.
    QList<quint64> selectedIds() const;
    void copySelection() const;
    // Writes the rows to a file: CSV for a .csv name, JSONL otherwise.
    // onlyFiltered: the rows the filter shows, in their order; else all.
    bool exportTo(const QString &fileName, bool onlyFiltered, QString *error = nullptr) const;

Q_SIGNALS:
    void resendRequested(const QList<quint64> &ids);
    void loadRequested(quint64 id);

private:
    void showContextMenu(const QPoint &pos);
    void chooseAndExport(bool onlyFiltered);
    void refreshTopics();
    void updateShownCount();

    DeliveryReportModel *m_model = nullptr;
    DeliveryReportFilter *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_statusCombo = nullptr;
    QComboBox *m_topicCombo = nullptr;
    QSpinBox *m_partitionSpin = nullptr;
    QLineEdit *m_textEdit = nullptr;
    QLabel *m_shownLabel = nullptr;
    QTimer *m_scrollTimer = nullptr;
    QTimer *m_textTimer = nullptr;
    bool m_followTail = true;
};

} // namespace kpw
