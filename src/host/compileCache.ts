import * as nodeModule from 'node:module';

// V8's compiled code of every module loaded after this, kept on disk between starts (Node 22.1+):
// the second start of `npm start` (or of a container on the same disk) skips most of the compiling of
// the service's and its SDKs' thousands of modules. NODE_COMPILE_CACHE chooses the folder (default:
// the system temp folder); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
nodeModule.enableCompileCache?.();
