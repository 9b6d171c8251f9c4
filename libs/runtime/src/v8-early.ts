import { applyPretenuring, pretenuringWanted } from './pretenuring';

// Imported first by every entry point, before any other module loads: V8 takes pretenuring
// decisions from its first collections on, and those taken while the modules load stay for
// the life of the process (the gateway took five before its config was read; from here,
// none). The variable is validated with the rest of the environment at boot (BaseEnv); here
// only its exact value `true` keeps pretenuring on.
applyPretenuring(pretenuringWanted(process.env));
