// The profile manager's Test button against the real sim over real gRPC: it
// connects with what the form says (saved or not), makes one call that needs
// the token, and says what happened in the status line: connected (with how
// it is secured and the round trip), a token the service refuses, nothing
// listening. Nothing stays connected afterwards.

#include "client/call_tracker.h"
#include "sim/sim_server.h"
#include "ui/connections/profile_manager_dialog.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startTokenSim()
{
    sim::SimOptions o;
    o.rate = 100;
    o.tokens["otto-token"] = {sim::Role::Operator, "otto"};
    auto s = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(s->start(&err)) << err;
    return s;
}

// Types `endpoint` and the token (typed, not saved), presses Test and waits
// for the button to come back; the status line then.
QString testWith(ProfileManagerDialog &d, const QString &endpoint, const QString &token)
{
    auto *ep = d.findChild<QLineEdit *>(QStringLiteral("profileEndpoint"));
    auto *source = d.findChild<QComboBox *>(QStringLiteral("profileTokenSource"));
    auto *tokenEdit = d.findChild<QLineEdit *>(QStringLiteral("profileToken"));
    auto *test = d.findChild<QPushButton *>(QStringLiteral("testProfile"));
    auto *status = d.findChild<QLabel *>(QStringLiteral("profileStatus"));
    EXPECT_TRUE(ep && source && tokenEdit && test && status);
    ep->selectAll();
    QTest::keyClicks(ep, endpoint);
    source->setCurrentIndex(1); // the keychain: the token field shows
    tokenEdit->clear();
    QTest::keyClicks(tokenEdit, token);
    EXPECT_TRUE(test->isEnabled());
    QTest::mouseClick(test, Qt::LeftButton);
    EXPECT_FALSE(test->isEnabled()) << "one test at a time";
    EXPECT_TRUE(QTest::qWaitFor([&] { return test->isEnabled(); }, 20000));
    return status->text();
}

} // namespace

TEST(ProfileTest, SaysConnectedARefusedTokenOrNothingListeningWithoutSaving)
{
    auto sim = startTokenSim();
    ConnectionProfile p;
    p.name = QStringLiteral("sim under test");
    p.endpoint = QStringLiteral("localhost:1");
    ProfileManagerDialog d({p}, p.name, nullptr);
    d.show();
    const QString address = QString::fromStdString(sim->address());

    const QString ok = testWith(d, address, QStringLiteral("otto-token"));
    EXPECT_TRUE(ok.startsWith(QStringLiteral("Connected: plaintext"))) << ok.toStdString();
    EXPECT_TRUE(ok.contains(QStringLiteral("route"))) << ok.toStdString();

    const QString refused = testWith(d, address, QStringLiteral("wrong-token"));
    EXPECT_TRUE(refused.contains(QStringLiteral("refused the token"))) << refused.toStdString();

    const QString nobody = testWith(d, QStringLiteral("127.0.0.1:1"), QStringLiteral("x"));
    EXPECT_TRUE(nobody.contains(QStringLiteral("Nothing is listening at 127.0.0.1:1")))
        << nobody.toStdString();

    // Nothing was saved, and nothing stays connected.
    EXPECT_EQ(d.profiles().front().endpoint, QStringLiteral("localhost:1"));
    EXPECT_TRUE(QTest::qWaitFor([] { return CallTracker::inFlight() == 0; }, 10000))
        << CallTracker::inFlight() << " calls still in flight";
}
