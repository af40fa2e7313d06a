/// <reference lib="dom" />
/** Small DOM helpers: elements with text, amounts with their exact figure on hover, links. */
import { type AmountLike, amountText, exactAmountText } from "../../sdk/src/display";

export const $ = <T extends HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
};

/** An element holding `text`; `title` shows on hover. */
export function element(tag: string, text: string, title?: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = text;
  if (title) el.title = title;
  return el;
}

/** An amount for people, the exact figure and its base units on hover. */
export function amountElement(tag: string, amount: AmountLike, unit: string): HTMLElement {
  return element(tag, amountText(amount, unit), exactAmountText(amount, unit));
}

/** Sets an element's text to an amount for people, with the exact figure on hover. */
export function showAmount(target: HTMLElement, amount: AmountLike, unit: string): void {
  target.textContent = amountText(amount, unit);
  target.title = exactAmountText(amount, unit);
}

/** A link that opens elsewhere (an explorer); `title` says what it is in full (on hover). */
export function link(text: string, href: string, title?: string): HTMLAnchorElement {
  const a = document.createElement("a");
  a.textContent = text;
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  if (title) a.title = title;
  return a;
}

export function cell(content: string | Node, title?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  if (typeof content === "string") td.textContent = content;
  else td.append(content);
  if (title) td.title = title;
  return td;
}

export function row(cells: HTMLElement[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}
