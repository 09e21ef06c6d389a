import { html, type SafeHtml } from './html.js';

/** Which page of the demo is shown, for the navigation. */
export type DemoPage = 'shop' | 'dashboard' | 'error';

/** Options of {@link renderLayout}. */
export interface LayoutOptions {
  readonly title: string;
  readonly page: DemoPage;
  readonly body: SafeHtml;
  /** Extra style sheets and scripts under /static/. */
  readonly styles?: readonly string[];
  readonly scripts?: readonly string[];
}

/**
 * The page around every demo screen: no inline script or style (the Content-Security-Policy
 * forbids them), assets under /static/, a navigation that says where you are in words.
 */
export function renderLayout(options: LayoutOptions): string {
  const link = (page: DemoPage, href: string, label: string) =>
    html`<a href="${href}"${options.page === page ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · dynamo-session-manager</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/demo.css">
${(options.styles ?? []).map((href) => html`<link rel="stylesheet" href="/static/${href}">\n`)}
${(options.scripts ?? []).map((src) => html`<script type="module" src="/static/${src}"></script>\n`)}
</head>
<body class="page-${options.page}">
<header class="top">
  <a class="brand" href="/"><span class="brand-name">dynamo-session-manager</span> <span class="brand-tag">demo</span></a>
  <nav aria-label="Demo">${link('shop', '/', 'Shop')}${link('dashboard', '/dashboard', 'Dashboard')}</nav>
</header>
${options.body}
</body>
</html>
`.value;
}
