#pragma once

// switchboard-ctl's commands, one function each, all on a Runtime. Reads in
// commands_read.cpp, writes in commands_write.cpp, contexts, help and
// completion in commands_misc.cpp.

#include "ctl/exit_codes.h"

namespace sb::ctl {

class Runtime;

Exit runRoutes(Runtime &rt);
Exit runModels(Runtime &rt);
Exit runPrompts(Runtime &rt);
Exit runVersions(Runtime &rt);
Exit runDiff(Runtime &rt);
Exit runExperiments(Runtime &rt);
Exit runResults(Runtime &rt);
Exit runLatency(Runtime &rt);
Exit runAudit(Runtime &rt);

Exit runModelSwitch(Runtime &rt, bool enable);
Exit runSetFallback(Runtime &rt);
Exit runForceFallback(Runtime &rt);
Exit runMoveLabel(Runtime &rt);
Exit runRollback(Runtime &rt);
Exit runExperimentState(Runtime &rt);
Exit runDrill(Runtime &rt);

Exit runContext(Runtime &rt);
Exit runCompletion(Runtime &rt);
Exit runComplete(Runtime &rt); // __complete, what the completion scripts call
Exit runHelp(Runtime &rt);

} // namespace sb::ctl
