// Imported first by each test file: rivetkit's client in the test process logs at "error" only
// (expected rejections would otherwise print warnings). RIVET_LOG_LEVEL overrides it; the app
// process logs at TETHER_APP_LOG_LEVEL (default warn) into its own log file.
process.env.RIVET_LOG_LEVEL ??= "error";
