#!/usr/bin/env node
// The `monlight` command. A file in git rather than dist/cli.js itself: npm links bins before `prepare` builds
// dist, and skips a bin whose file does not exist yet, so the first `npm install` of a clone would have none.
import '../dist/cli.js'
