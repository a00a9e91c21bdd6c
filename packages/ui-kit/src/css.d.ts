/** Style sheets imported for their side effect; esbuild bundles them into the UI's app.css. */
declare module '*.css' {}
