// Prompt templates (Mustache, no HTML escaping) as the prompt editor and the
// sim's validation and RenderPrompt see them.

#include "core/prompt_template.h"

#include <gtest/gtest.h>
#include <random>

using sb::analyzeTemplate;
using sb::renderTemplate;
using sb::TemplateTag;
using sb::TemplateVariable;
using sb::templateVariables;

TEST(PromptTemplate, VariablesAreListedInOrderOfFirstUseWithoutDuplicates)
{
    QString error;
    EXPECT_EQ(templateVariables("{{b}} then {{a}}, {{ b }} and {{c_1}}{{a}}", &error),
              QStringList({"b", "a", "c_1"}));
    EXPECT_TRUE(error.isEmpty());
    EXPECT_TRUE(templateVariables("no placeholders here } { }} {").isEmpty());
}

TEST(PromptTemplate, ValuesAreSubstitutedWithoutHtmlEscaping)
{
    const auto r = renderTemplate(
        "Hi {{name}}, {{ name }}! ({{empty}}) {{{raw}}} {{&amp}}",
        {{"name", "<Ada & \"Bo\">"}, {"empty", ""}, {"raw", "a<b"}, {"amp", "x&y"}}, {});
    EXPECT_EQ(r.text, "Hi <Ada & \"Bo\">, <Ada & \"Bo\">! () a<b x&y");
    EXPECT_TRUE(r.missing.isEmpty());
    EXPECT_TRUE(r.error.isEmpty());
}

TEST(PromptTemplate, MissingRequiredAndUndeclaredVariablesAreReportedOnce)
{
    const QList<TemplateVariable> declared{{"user", true, ""}};
    const auto r = renderTemplate("{{user}} asks {{question}} ({{user}})", {}, declared);
    EXPECT_EQ(r.missing, QStringList({"user", "question"}));
    EXPECT_EQ(r.text, " asks  ()");
}

TEST(PromptTemplate, DefaultsAreAppliedAndReported)
{
    const QList<TemplateVariable> declared{{"tone", false, "friendly"}, {"lang", false, "en"}};
    const auto r = renderTemplate("Be {{tone}} in {{lang}}, {{tone}}.", {{"lang", "fr"}}, declared);
    EXPECT_EQ(r.text, "Be friendly in fr, friendly.");
    EXPECT_EQ(r.defaulted, QStringList({"tone"}));
    EXPECT_TRUE(r.missing.isEmpty());
}

TEST(PromptTemplate, SectionsShowForNonEmptyValuesAndInvertedOnesForEmpty)
{
    const QString tpl = "Reply.\n{{#history}}\nSo far:\n{{history}}\n{{/history}}\n"
                        "{{^history}}\nThis is the first message.\n{{/history}}\n";
    EXPECT_EQ(templateVariables(tpl), QStringList({"history"}));
    EXPECT_EQ(analyzeTemplate(tpl).sections, QStringList({"history"}));
    // A shown section's own tag lines vanish; a skipped one leaves one empty
    // line in kainjow 4.1 (see the note in prompt_template.h).
    const QString shown = renderTemplate(tpl, {{"history", "hi"}}, {}).text;
    EXPECT_TRUE(shown.startsWith("Reply.\nSo far:\nhi\n")) << shown.toStdString();
    EXPECT_FALSE(shown.contains("first message"));
    const QString empty = renderTemplate(tpl, {{"history", ""}}, {}).text;
    EXPECT_FALSE(empty.contains("So far")) << empty.toStdString();
    EXPECT_TRUE(empty.contains("\nThis is the first message.\n")) << empty.toStdString();
}

TEST(PromptTemplate, AJsonListValueRendersAFewShotSectionOncePerItem)
{
    const QString tpl = "{{#examples}}Q: {{q}}\nA: {{a}}\n{{/examples}}Q: {{question}}";
    const auto a = analyzeTemplate(tpl);
    EXPECT_EQ(a.variables, QStringList({"examples", "question"}));
    EXPECT_EQ(a.fields.value("examples"), QStringList({"q", "a"}));
    const auto r = renderTemplate(
        tpl,
        {{"examples", R"([{"q": "2+2?", "a": "4"}, {"q": "Capital of France?", "a": "Paris"}])"},
         {"question", "3+3?"}},
        {});
    EXPECT_EQ(r.text, "Q: 2+2?\nA: 4\nQ: Capital of France?\nA: Paris\nQ: 3+3?");
    // A JSON-looking value of a plain variable stays text (an invoice is not a section).
    EXPECT_EQ(renderTemplate("{{doc}}", {{"doc", "[1, 2]"}}, {}).text, "[1, 2]");
}

TEST(PromptTemplate, ANameUsedBothInsideAndOutsideASectionIsAVariableNotAField)
{
    const auto a = analyzeTemplate("{{#items}}{{user}}: {{text}}{{/items}} for {{user}}");
    EXPECT_EQ(a.variables, QStringList({"items", "user"}));
    EXPECT_EQ(a.fields.value("items"), QStringList({"text"}));
    // Dotted names declare their first part.
    EXPECT_EQ(templateVariables("{{user.name}} {{user.email}}"), QStringList({"user"}));
}

TEST(PromptTemplate, CommentsAndSetDelimitersGiveALiteralDoubleBrace)
{
    const QString tpl = "{{! internal note }}JSON: {{=<% %>=}}{{ \"k\": <%v%> }}";
    EXPECT_EQ(templateVariables(tpl), QStringList({"v"}));
    EXPECT_EQ(renderTemplate(tpl, {{"v", "1"}}, {}).text, "JSON: {{ \"k\": 1 }}");
}

TEST(PromptTemplate, SyntaxErrorsSayWhatAndWhereInLineAndColumn)
{
    auto a = analyzeTemplate("Hello\n{{#examples}}\n{{q}}");
    EXPECT_EQ(a.error.toStdString(), "unclosed section \"examples\" at line 2, column 1");
    EXPECT_EQ(a.errorPosition, 6);
    a = analyzeTemplate("Hello {{name");
    EXPECT_EQ(a.error.toStdString(), "unclosed tag at line 1, column 7");
    a = analyzeTemplate("x {{/end}}");
    EXPECT_TRUE(a.error.startsWith("unopened section \"end\"")) << a.error.toStdString();
    a = analyzeTemplate("{{first name}} {{ok}}");
    EXPECT_EQ(a.error.toStdString(), "malformed name \"first name\" at line 1, column 1");
    a = analyzeTemplate("{{> header}}");
    EXPECT_TRUE(a.error.contains("partials are not supported")) << a.error.toStdString();
    a = analyzeTemplate("{{}}");
    EXPECT_TRUE(a.error.startsWith("empty tag")) << a.error.toStdString();
    // Rendering an invalid template returns it unchanged with the error.
    const auto r = renderTemplate("Hello {{name", {{"name", "x"}}, {});
    EXPECT_EQ(r.text, "Hello {{name");
    EXPECT_FALSE(r.error.isEmpty());
}

TEST(PromptTemplate, TagsAreListedInDocumentOrderWithUtf16Positions)
{
    const QString tpl = QString::fromUtf8("👋 é {{a}}{{#s}}{{f}}{{/s}}");
    const auto a = analyzeTemplate(tpl);
    ASSERT_EQ(a.tags.size(), 3);
    EXPECT_EQ(a.tags[0].name, "a");
    EXPECT_EQ(a.tags[0].position, tpl.indexOf("{{a}}"));
    EXPECT_EQ(a.tags[1].kind, TemplateTag::Kind::Section);
    EXPECT_EQ(a.tags[1].position, tpl.indexOf("{{#s}}"));
    EXPECT_EQ(a.tags[2].section, "s");
    EXPECT_EQ(a.tags[2].position, tpl.indexOf("{{f}}"));
    // An error after a surrogate pair is placed in characters, not bytes.
    const QString bad = QString::fromUtf8("👋👋 {{x");
    EXPECT_EQ(analyzeTemplate(bad).errorPosition, bad.indexOf("{{"));
}

TEST(PromptTemplate, UnicodeNamesAndTextSurviveIntact)
{
    // CJK, accented and a non-BMP math letter (a surrogate pair) are letters.
    const QString tpl = QString::fromUtf8("こんにちは {{名前}} 👋 {{café}} {{𝑥}} — ☃");
    QString error;
    EXPECT_EQ(templateVariables(tpl, &error),
              QStringList(
                  {QString::fromUtf8("名前"), QString::fromUtf8("café"), QString::fromUtf8("𝑥")}));
    EXPECT_TRUE(error.isEmpty()) << error.toStdString();
    const auto r = renderTemplate(tpl,
                                  {{QString::fromUtf8("名前"), QString::fromUtf8("ユキ")},
                                   {QString::fromUtf8("café"), "au lait"},
                                   {QString::fromUtf8("𝑥"), "42"}},
                                  {});
    EXPECT_EQ(r.text, QString::fromUtf8("こんにちは ユキ 👋 au lait 42 — ☃"));
    // An emoji is not a name.
    EXPECT_TRUE(templateVariables(QString::fromUtf8("{{👋}}"), &error).isEmpty());
    EXPECT_FALSE(error.isEmpty());
}

TEST(PromptTemplate, RandomBraceSoupNeverCrashesAndPlainTextRendersUnchanged)
{
    std::mt19937 rng(1);
    const QString alphabet = QString::fromUtf8("{}{}{}#/^!= a_9\n名\xF0\x9F\x91\x8B");
    std::uniform_int_distribution<int> pick(0, int(alphabet.size()) - 1);
    std::uniform_int_distribution<int> len(0, 40);
    for (int i = 0; i < 5000; ++i) {
        QString tpl;
        for (int n = len(rng); n > 0; --n)
            tpl += alphabet[pick(rng)]; // may split surrogate pairs: must still be safe
        QString error;
        const auto names = templateVariables(tpl, &error);
        const auto r = renderTemplate(tpl, {}, {});
        if (error.isEmpty()) {
            EXPECT_EQ(r.missing, names);
        } else {
            EXPECT_EQ(r.text, tpl);
        }
        if (!tpl.contains("{{")) {
            EXPECT_EQ(r.text, tpl);
        }
    }
}
