// Prompt templates as the prompt editor and the sim's RenderPrompt see them.

#include "core/prompt_template.h"

#include <gtest/gtest.h>
#include <random>

using sb::renderTemplate;
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

TEST(PromptTemplate, QuadrupleBraceIsALiteralDoubleBrace)
{
    EXPECT_TRUE(templateVariables("{{{{name}}").isEmpty());
    const auto r = renderTemplate("JSON: {{{{ \"k\": {{v}} }}", {{"v", "1"}}, {});
    EXPECT_EQ(r.text, "JSON: {{ \"k\": 1 }}");
    EXPECT_TRUE(r.error.isEmpty());
    EXPECT_EQ(renderTemplate("{{{{{{{{", {}, {}).text, "{{{{");
}

TEST(PromptTemplate, ValuesAreSubstituted)
{
    const auto r = renderTemplate("Hi {{name}}, {{ name }}! ({{empty}})",
                                  {{"name", "Ada"}, {"empty", ""}}, {});
    EXPECT_EQ(r.text, "Hi Ada, Ada! ()");
    EXPECT_TRUE(r.missing.isEmpty());
    EXPECT_TRUE(r.defaulted.isEmpty());
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

TEST(PromptTemplate, MalformedPlaceholderIsReportedKeptLiteralAndDoesNotHideLaterOnes)
{
    QString error;
    EXPECT_EQ(templateVariables("{{first name}} {{ok}} {{}} {{a-b}}", &error), QStringList({"ok"}));
    EXPECT_TRUE(error.contains("first name")) << error.toStdString(); // the first problem
    const auto r = renderTemplate("{{first name}} {{ok}}", {{"ok", "yes"}}, {});
    EXPECT_EQ(r.text, "{{first name}} yes");
    EXPECT_FALSE(r.error.isEmpty());
}

TEST(PromptTemplate, UnterminatedPlaceholderIsReportedAndDoesNotSwallowTheNextOne)
{
    QString error;
    EXPECT_TRUE(templateVariables("Hello {{name", &error).isEmpty());
    EXPECT_TRUE(error.contains("unterminated")) << error.toStdString();
    EXPECT_EQ(renderTemplate("Hello {{name", {{"name", "x"}}, {}).text, "Hello {{name");

    // A stray "{{" before a real placeholder must not eat it.
    error.clear();
    EXPECT_EQ(templateVariables("Use {{ and {{user}}.", &error), QStringList({"user"}));
    EXPECT_TRUE(error.contains("offset 4")) << error.toStdString();
    EXPECT_EQ(renderTemplate("Use {{ and {{user}}.", {{"user", "Bo"}}, {}).text, "Use {{ and Bo.");
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
    const QString alphabet = QString::fromUtf8("{}{}{} a_9\n名\xF0\x9F\x91\x8B");
    std::uniform_int_distribution<int> pick(0, int(alphabet.size()) - 1);
    std::uniform_int_distribution<int> len(0, 40);
    for (int i = 0; i < 5000; ++i) {
        QString tpl;
        for (int n = len(rng); n > 0; --n)
            tpl += alphabet[pick(rng)]; // may split surrogate pairs: must still be safe
        QString error;
        const auto names = templateVariables(tpl, &error);
        const auto r = renderTemplate(tpl, {}, {});
        EXPECT_EQ(r.missing, names);
        if (!tpl.contains("{{")) {
            EXPECT_EQ(r.text, tpl);
        }
    }
}
