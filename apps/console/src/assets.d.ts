// esbuild bundles the stylesheets a module imports into main.css (apps/console/build.ts).
declare module '*.css';
