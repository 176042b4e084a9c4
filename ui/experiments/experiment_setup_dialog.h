#pragma once

// ExperimentSetupDialog: a new experiment from 2 to 4 variants (each a prompt
// version on a model with parameters), traffic weights that must add up to
// 100 %, the route it splits, the primary metric that decides the winner and
// the guardrails that must not regress. Create stays disabled, with the
// first problem said in words, until the draft is valid; what it returns is
// then sent through the guarded-change dialog like every other write.

#include "core/types.h"

#include <QDialog>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace sb {

class ExperimentsController;

class ExperimentSetupDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ExperimentSetupDialog(ExperimentsController *controller, QWidget *parent = nullptr);

    Experiment draft() const;

    // For tests and keyboard-free setup.
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *routeCombo() const { return m_route; }
    QComboBox *metricCombo() const { return m_metric; }
    QCheckBox *guardrail(Metric m) const;
    int variantCount() const { return int(m_rows.size()); }
    QSpinBox *weight(int row) const;
    QComboBox *prompt(int row) const;
    QComboBox *model(int row) const;
    QSpinBox *version(int row) const;
    QLineEdit *variantId(int row) const;
    QPushButton *createButton() const { return m_create; }
    QLabel *problem() const { return m_problem; }
    void addVariant();
    void removeVariant(int row);
    void splitEvenly();

private:
    struct Row
    {
        QLineEdit *id = nullptr;
        QLineEdit *name = nullptr;
        QComboBox *prompt = nullptr;
        QSpinBox *version = nullptr;
        QComboBox *model = nullptr;
        QDoubleSpinBox *temperature = nullptr;
        QSpinBox *weight = nullptr;
        QPushButton *remove = nullptr;
    };
    void relayoutRows();
    void validate();
    void promptChosen(Row &row);

    ExperimentsController *m_controller;
    QLineEdit *m_name;
    QPlainTextEdit *m_description;
    QComboBox *m_route;
    QComboBox *m_metric;
    std::vector<std::pair<Metric, QCheckBox *>> m_guardrails;
    QGridLayout *m_grid;
    std::vector<Row> m_rows;
    QPushButton *m_add;
    QPushButton *m_even;
    QLabel *m_sum;
    QLabel *m_problem;
    QPushButton *m_create;
};

// WeightsDialog: new traffic weights for a running (or paused, or draft)
// experiment, one per variant, adding up to 100 %.
class WeightsDialog : public QDialog
{
    Q_OBJECT
public:
    WeightsDialog(const Experiment &experiment, QWidget *parent = nullptr);
    std::vector<quint32> weights() const;
    QSpinBox *weight(int row) const;
    QPushButton *okButton() const { return m_ok; }

private:
    void validate();

    Experiment m_experiment;
    std::vector<QSpinBox *> m_spins;
    QLabel *m_sum;
    QPushButton *m_ok;
};

} // namespace sb
