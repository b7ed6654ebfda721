#!/usr/bin/env node
// Committed launcher, so package managers can link the bin before `tsc -b` has produced dist/.
import '../dist/main.js';
