// main() of prompts_flow_tests: gRPC runtime, an offscreen QApplication and
// test-only settings, one file per process.
#include "prompts_flow_fixture.h"

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Drafts and sample values go to QSettings: keep the user's own apart.
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("switchboard-tests"));
    // One settings file per test process (ctest runs them side by side); a
    // child this process starts (the killed-console test) inherits the name.
    if (qEnvironmentVariableIsEmpty("SB_TEST_SETTINGS_NAME"))
        qputenv("SB_TEST_SETTINGS_NAME",
                QByteArray("prompts-flow-") +
                    QByteArray::number(QCoreApplication::applicationPid()));
    QCoreApplication::setApplicationName(qEnvironmentVariable("SB_TEST_SETTINGS_NAME"));
    qRegisterMetaType<sb::Change>();
    qRegisterMetaType<sb::RpcError>();
    qRegisterMetaType<sb::ConflictInfo>();
    qRegisterMetaType<sb::PromptVersion>();
    qRegisterMetaType<sb::PromptEvent>();
    qRegisterMetaType<std::vector<sb::LocalAction>>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
