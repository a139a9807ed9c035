import { readFileSync } from 'node:fs';
import { repoPath } from '../helpers/repo';

/** The parts of package.json the manifest tests read. */
export interface Manifest {
  main: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
  activationEvents: string[];
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    breakpoints: { language: string }[];
    debuggers: {
      type: string;
      languages: string[];
      configurationAttributes: { launch: { required: string[]; properties: Record<string, unknown> } };
      initialConfigurations: Record<string, unknown>[];
      configurationSnippets: { body: Record<string, unknown> }[];
    }[];
    commands: { command: string; title: string; category: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    configuration: { properties: Record<string, unknown> };
    views: Record<string, { id: string }[]>;
    walkthroughs: Walkthrough[];
  };
}

export interface Walkthrough {
  id: string;
  steps: {
    id: string;
    description: string;
    media: { markdown: string } | { image: string; altText: string };
    completionEvents: string[];
  }[];
}

export const manifest = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as Manifest;
