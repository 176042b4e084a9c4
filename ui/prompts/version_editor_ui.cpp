// VersionEditor's widgets: the template with its highlighter and live
// preview, variables, sample values, parameters, the field-named error
// labels and the buttons, laid out once. What they do is in version_editor.cpp.
#include "ui/common/format.h"
#include "ui/common/palette.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/prompts/template_highlighter.h"
#include "ui/prompts/version_editor.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThreadPool>
#include <QVBoxLayout>

namespace sb {

namespace {

QLabel *errorLabel(QWidget *parent, const QString &name)
{
    auto *l = new QLabel(parent);
    l->setObjectName(name);
    l->setWordWrap(true);
    l->setStyleSheet(
        QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(palette::bad().name()));
    l->hide();
    return l;
}

QFont monospace()
{
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    return mono;
}

} // namespace

void VersionEditor::buildUi(const VersionDraft &seed)
{
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(8);

    auto *title = new QLabel(m_newPrompt ? tr("<b>New prompt</b> · its first version")
                             : seed.parentVersion
                                 ? tr("<b>%1</b> · new version written from v%2")
                                       .arg(seed.prompt.toHtmlEscaped())
                                       .arg(seed.parentVersion)
                                 : tr("<b>%1</b> · first version").arg(seed.prompt.toHtmlEscaped()),
                             this);
    QFont tf = title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.2);
    title->setFont(tf);
    layout->addWidget(title);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("editorBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::RichText);
    m_banner->setStyleSheet(QStringLiteral("QLabel#editorBanner { background: #fff4ce; color: "
                                           "#5c4400; border: 1px solid #e6c75c; border-radius: "
                                           "3px; padding: 6px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);

    if (m_newPrompt) {
        auto *form = new QFormLayout;
        m_name = new QLineEdit(this);
        m_name->setObjectName(QStringLiteral("promptNameEdit"));
        m_name->setPlaceholderText(tr("e.g. refund-reply (letters, digits and dashes)"));
        m_name->setText(seed.prompt);
        m_nameError = errorLabel(this, QStringLiteral("nameError"));
        auto *nameCol = new QVBoxLayout;
        nameCol->addWidget(m_name);
        nameCol->addWidget(m_nameError);
        auto *nameLabel = new QLabel(tr("&Name:"), this);
        nameLabel->setBuddy(m_name);
        form->addRow(nameLabel, nameCol);
        m_description = new QLineEdit(this);
        m_description->setObjectName(QStringLiteral("promptDescriptionEdit"));
        m_description->setPlaceholderText(tr("What the prompt is for (shown in the list)"));
        m_description->setText(seed.description);
        auto *descLabel = new QLabel(tr("&Description:"), this);
        descLabel->setBuddy(m_description);
        form->addRow(descLabel, m_description);
        layout->addLayout(form);
        connect(m_name, &QLineEdit::textChanged, this, [this](const QString &text) {
            m_prompt = text.trimmed();
            m_nameError->hide();
            edited();
        });
        connect(m_description, &QLineEdit::textChanged, this, &VersionEditor::edited);
    }

    auto *split = new QSplitter(Qt::Horizontal, this);

    // Left: template, variables, model and parameters.
    auto *left = new QWidget(split);
    auto *ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    auto *tplLabel =
        new QLabel(tr("&Template (Mustache: {{variable}}, {{#list}}…{{/list}})"), left);
    m_template = new QPlainTextEdit(left);
    m_template->setObjectName(QStringLiteral("templateEdit"));
    m_template->setFont(monospace());
    m_template->setTabChangesFocus(true);
    m_template->setPlainText(seed.templateText);
    tplLabel->setBuddy(m_template);
    m_highlighter = new TemplateHighlighter(m_template->document());
    m_templateError = errorLabel(left, QStringLiteral("templateError"));
    m_warnings = new QLabel(left);
    m_warnings->setObjectName(QStringLiteral("variableWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::RichText);
    m_warnings->setStyleSheet(
        QStringLiteral("QLabel { color: %1; }").arg(palette::warn().darker(115).name()));
    connect(m_warnings, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link.startsWith(QLatin1String("declare:")))
            declare(link.mid(8));
    });
    ll->addWidget(tplLabel);
    ll->addWidget(m_template, 3);
    ll->addWidget(m_templateError);
    ll->addWidget(m_warnings);

    auto *varsBox = new QGroupBox(tr("Declared &variables"), left);
    auto *vl = new QVBoxLayout(varsBox);
    m_vars = new QTableWidget(0, 4, varsBox);
    m_vars->setObjectName(QStringLiteral("variablesTable"));
    m_vars->setHorizontalHeaderLabels(
        {tr("Name"), tr("Required"), tr("Default"), tr("Description")});
    m_vars->verticalHeader()->hide();
    m_vars->horizontalHeader()->setStretchLastSection(true);
    m_vars->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *varButtons = new QHBoxLayout;
    auto *add = new QPushButton(QIcon::fromTheme(QStringLiteral("list-add")), tr("Add"), varsBox);
    auto *remove =
        new QPushButton(QIcon::fromTheme(QStringLiteral("list-remove")), tr("Remove"), varsBox);
    add->setObjectName(QStringLiteral("addVariable"));
    remove->setObjectName(QStringLiteral("removeVariable"));
    add->setAutoDefault(false);
    remove->setAutoDefault(false);
    varButtons->addWidget(add);
    varButtons->addWidget(remove);
    varButtons->addStretch(1);
    m_varsError = errorLabel(varsBox, QStringLiteral("variablesError"));
    vl->addWidget(m_vars);
    vl->addLayout(varButtons);
    vl->addWidget(m_varsError);
    ll->addWidget(varsBox, 2);
    connect(add, &QPushButton::clicked, this, [this] { declare({}); });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_vars->currentRow();
        if (row >= 0) {
            m_vars->removeRow(row);
            edited();
        }
    });

    auto *modelBox = new QGroupBox(tr("Model and parameters"), left);
    auto *form = new QFormLayout(modelBox);
    m_model = new QComboBox(modelBox);
    m_model->setObjectName(QStringLiteral("modelEdit"));
    m_model->setEditable(true);
    m_model->addItems(m_controller->knownModels());
    m_model->setCurrentText(seed.model);
    m_modelError = errorLabel(modelBox, QStringLiteral("modelError"));
    auto *modelCol = new QVBoxLayout;
    modelCol->addWidget(m_model);
    modelCol->addWidget(m_modelError);
    auto *modelLabel = new QLabel(tr("&Model:"), modelBox);
    modelLabel->setBuddy(m_model);
    form->addRow(modelLabel, modelCol);
    // The lowest value of each box means "not set": the service's default.
    m_temperature = new QDoubleSpinBox(modelBox);
    m_temperature->setObjectName(QStringLiteral("temperatureEdit"));
    m_temperature->setRange(-0.05, 2.0);
    m_temperature->setSingleStep(0.05);
    m_temperature->setDecimals(2);
    m_temperature->setSpecialValueText(tr("default"));
    m_temperature->setValue(seed.params.temperature ? *seed.params.temperature : -0.05);
    m_topP = new QDoubleSpinBox(modelBox);
    m_topP->setObjectName(QStringLiteral("topPEdit"));
    m_topP->setRange(-0.05, 1.0);
    m_topP->setSingleStep(0.05);
    m_topP->setDecimals(2);
    m_topP->setSpecialValueText(tr("default"));
    m_topP->setValue(seed.params.topP ? *seed.params.topP : -0.05);
    m_maxTokens = new QSpinBox(modelBox);
    m_maxTokens->setObjectName(QStringLiteral("maxTokensEdit"));
    m_maxTokens->setRange(0, 1000000);
    m_maxTokens->setSingleStep(50);
    m_maxTokens->setSpecialValueText(tr("default"));
    m_maxTokens->setValue(seed.params.maxOutputTokens ? int(*seed.params.maxOutputTokens) : 0);
    auto *params = new QHBoxLayout;
    params->addWidget(new QLabel(tr("temperature"), modelBox));
    params->addWidget(m_temperature);
    params->addSpacing(8);
    params->addWidget(new QLabel(tr("top_p"), modelBox));
    params->addWidget(m_topP);
    params->addSpacing(8);
    params->addWidget(new QLabel(tr("max tokens"), modelBox));
    params->addWidget(m_maxTokens);
    params->addStretch(1);
    m_paramsError = errorLabel(modelBox, QStringLiteral("parametersError"));
    auto *paramCol = new QVBoxLayout;
    paramCol->addLayout(params);
    paramCol->addWidget(m_paramsError);
    form->addRow(tr("Parameters:"), paramCol);
    ll->addWidget(modelBox);

    // Right: sample values and the rendered preview.
    auto *right = new QWidget(split);
    auto *rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(new QLabel(tr("<b>Preview</b> — sample values, kept for this prompt"), right));
    m_samples = new QTableWidget(0, 2, right);
    m_samples->setObjectName(QStringLiteral("sampleValues"));
    m_samples->setHorizontalHeaderLabels({tr("Variable"), tr("Sample value")});
    m_samples->verticalHeader()->hide();
    m_samples->horizontalHeader()->setStretchLastSection(true);
    m_samples->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    rl->addWidget(m_samples, 2);
    m_previewNote = new QLabel(right);
    m_previewNote->setObjectName(QStringLiteral("previewNote"));
    m_previewNote->setWordWrap(true);
    m_previewNote->setStyleSheet(
        QStringLiteral("QLabel { color: %1; }").arg(palette::muted().darker(130).name()));
    rl->addWidget(m_previewNote);
    m_preview = new QPlainTextEdit(right);
    m_preview->setObjectName(QStringLiteral("previewText"));
    m_preview->setReadOnly(true);
    m_preview->setFont(monospace());
    m_preview->setPlaceholderText(tr("The rendered prompt appears here."));
    rl->addWidget(m_preview, 4);

    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    auto *msgRow = new QFormLayout;
    m_message = new QLineEdit(this);
    m_message->setObjectName(QStringLiteral("messageEdit"));
    m_message->setPlaceholderText(tr("What changed and why (required)"));
    m_message->setText(seed.message);
    m_messageError = errorLabel(this, QStringLiteral("messageError"));
    auto *msgCol = new QVBoxLayout;
    msgCol->addWidget(m_message);
    msgCol->addWidget(m_messageError);
    auto *msgLabel = new QLabel(tr("M&essage:"), this);
    msgLabel->setBuddy(m_message);
    msgRow->addRow(msgLabel, msgCol);
    layout->addLayout(msgRow);
    m_saveError = errorLabel(this, QStringLiteral("saveError"));
    layout->addWidget(m_saveError);

    // Discard on the far left, away from Save; Save last, where the eye ends.
    auto *buttons = new QHBoxLayout;
    auto *discard =
        new QPushButton(QIcon::fromTheme(QStringLiteral("edit-delete")), tr("Discard draft"), this);
    discard->setObjectName(QStringLiteral("discardButton"));
    discard->setAutoDefault(false);
    auto *close = new QPushButton(tr("Close, keep the draft"), this);
    close->setObjectName(QStringLiteral("closeButton"));
    close->setAutoDefault(false);
    m_save = new QPushButton(QIcon::fromTheme(QStringLiteral("document-save")),
                             tr("Save version  (Ctrl+S)"), this);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_save->setAutoDefault(false);
    buttons->addWidget(discard);
    buttons->addStretch(1);
    buttons->addWidget(close);
    buttons->addWidget(m_save);
    layout->addLayout(buttons);
    connect(m_save, &QPushButton::clicked, this, &VersionEditor::save);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    connect(discard, &QPushButton::clicked, this, [this] {
        m_discarded = true;
        m_draftTimer.stop();
        if (m_newPrompt)
            m_controller->local()->discardNewPromptDraft();
        else
            m_controller->discardDraft(m_prompt);
        reject();
    });
    auto *saveKey = new QShortcut(QKeySequence::Save, this);
    connect(saveKey, &QShortcut::activated, this, &VersionEditor::save);

    setVariables(seed.variables);
    // Sample values: what was used last time for this prompt, else the defaults.
    const QMap<QString, QString> kept = m_controller->sampleValues(m_prompt);
    for (auto it = kept.begin(); it != kept.end(); ++it) {
        const int row = m_samples->rowCount();
        m_samples->insertRow(row);
        auto *name = new QTableWidgetItem(it.key());
        name->setFlags(name->flags() & ~Qt::ItemIsEditable);
        m_samples->setItem(row, 0, name);
        m_samples->setItem(row, 1, new QTableWidgetItem(it.value()));
    }

    connect(m_template, &QPlainTextEdit::textChanged, this, &VersionEditor::edited);
    connect(m_vars, &QTableWidget::itemChanged, this, &VersionEditor::edited);
    connect(m_samples, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == 1)
            edited();
    });
    connect(m_model, &QComboBox::currentTextChanged, this, &VersionEditor::edited);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &VersionEditor::edited);
    connect(m_topP, &QDoubleSpinBox::valueChanged, this, &VersionEditor::edited);
    connect(m_maxTokens, &QSpinBox::valueChanged, this, &VersionEditor::edited);
    connect(m_message, &QLineEdit::textChanged, this, [this] {
        m_messageError->hide();
        edited();
    });
}

} // namespace sb
