// @ts-check
'use strict';

const path = require('path');
const webpack = require('webpack');

/**
 * One bundle per process the extension starts. esbuild strips the types; `tsc`
 * type-checks the same sources (see README, "Build").
 * @param {unknown} _env
 * @param {{ mode?: 'production' | 'development' | 'none' }} argv
 * @returns {webpack.Configuration}
 */
module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
  return {
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
      // Source paths relative to dist/, so stack traces name client/extension.ts and not webpack:///.
      devtoolModuleFilenameTemplate: (/** @type {{ absoluteResourcePath: string }} */ info) =>
        path.relative(path.resolve(__dirname, 'dist'), info.absoluteResourcePath),
      clean: true,
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
  };
};
