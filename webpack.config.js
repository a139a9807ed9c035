// @ts-check
'use strict';

const path = require('path');
const webpack = require('webpack');

/**
 * Source paths relative to the bundle's folder, so stack traces and the debugger name
 * client/extension.ts and not webpack:///.
 * @param {string} outputPath
 */
const sourcePathsFrom = (outputPath) => (/** @type {{ absoluteResourcePath: string }} */ info) =>
  path.relative(outputPath, info.absoluteResourcePath);

/**
 * The webview scripts (media/), bundled for the browser into dist/webview/, where the
 * webview's localResourceRoots let them be loaded.
 * @param {boolean} production
 * @returns {webpack.Configuration}
 */
const webviews = (production) => {
  const outputPath = path.resolve(__dirname, 'dist', 'webview');
  return {
    name: 'webviews',
    target: 'web',
    mode: production ? 'production' : 'development',
    entry: { timeline: './media/timeline/main.ts' },
    output: { path: outputPath, filename: '[name].js', devtoolModuleFilenameTemplate: sourcePathsFrom(outputPath), clean: true },
    devtool: 'source-map',
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, exclude: /node_modules/, loader: 'esbuild-loader', options: { target: 'es2022' } }],
    },
    optimization: { minimize: production },
    performance: { hints: false },
    stats: 'errors-warnings',
  };
};

/**
 * One bundle per process the extension starts, and the webview scripts. esbuild strips
 * the types; `tsc` type-checks the same sources (see README, "Build").
 * @param {unknown} _env
 * @param {{ mode?: 'production' | 'development' | 'none' }} argv
 * @returns {webpack.Configuration[]}
 */
module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
  return [{
    name: 'node',
    target: 'node20',
    mode: production ? 'production' : 'development',
    entry: {
      extension: './client/extension.ts',
      server: './server/main.ts',
      'debug-adapter': './debug-adapter/main.ts',
      cli: './emulator/cli/main.ts',
    },
    output: {
      path: path.resolve(__dirname, 'dist'),
      filename: '[name].js',
      library: { type: 'commonjs2' },
      devtoolModuleFilenameTemplate: sourcePathsFrom(path.resolve(__dirname, 'dist')),
      // dist/webview/ is the other configuration's, built at the same time.
      clean: { keep: /^webview(\/|$)/ },
    },
    devtool: 'source-map',
    externals: { vscode: 'commonjs vscode' },
    resolve: {
      extensions: ['.ts', '.js'],
      // The ESM builds of vscode-languageserver-types and -textdocument; their UMD builds hide their requires.
      mainFields: ['module', 'main'],
      conditionNames: ['node', 'import', 'require', 'default'],
    },
    module: {
      rules: [{ test: /\.ts$/, exclude: /node_modules/, loader: 'esbuild-loader', options: { target: 'node20' } }],
    },
    optimization: { minimize: production },
    plugins: [
      new webpack.BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true, include: 'cli' }),
    ],
    performance: { hints: false },
    stats: 'errors-warnings',
  }, webviews(production)];
};
