/// <reference lib="dom" />
/**
 * Small DOM helpers: elements with text, links, table rows, and amounts that show their exact
 * figure when tapped, clicked or pressed (a button, so touch and keyboard reach it; the figure
 * is on hover too).
 */
import { type AmountLike, amountText, exactAmountText, shortAddress } from "../../sdk/src/display";

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

/** Shows or hides the exact figure beside an amount's button. */
function toggleExact(button: HTMLButtonElement): void {
  const exact = button.nextElementSibling as HTMLElement | null;
  if (!exact) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  exact.hidden = !open;
}

// One listener for every amount on the page, present and future.
document.addEventListener("click", (event) => {
  const button = (event.target as Element | null)?.closest?.("button.amount");
  if (button instanceof HTMLButtonElement) toggleExact(button);
});

/**
 * Writes `text` into `target` as an amount whose exact figure (`exact`) shows when it is tapped.
 * An amount already there is updated in place, so an open figure stays open and a focused
 * button keeps its focus while the page refreshes.
 */
export function showExact(target: HTMLElement, text: string, exact: string): void {
  const button = target.firstElementChild;
  if (button instanceof HTMLButtonElement && button.classList.contains("amount")) {
    if (button.textContent !== text) button.textContent = text;
    button.title = exact;
    const detail = button.nextElementSibling as HTMLElement;
    if (detail.textContent !== exact) detail.textContent = exact;
    return;
  }
  const amount = document.createElement("button");
  amount.type = "button";
  amount.className = "amount";
  amount.textContent = text;
  amount.title = exact;
  amount.setAttribute("aria-expanded", "false");
  const detail = document.createElement("span");
  detail.className = "exact";
  detail.textContent = exact;
  detail.hidden = true;
  target.replaceChildren(amount, detail);
}

/** An amount for people in `target`, its exact figure and base units one tap away. */
export function showAmount(
  target: HTMLElement,
  amount: AmountLike,
  unit: string,
  text = amountText(amount, unit),
): void {
  showExact(target, text, exactAmountText(amount, unit));
}

/** An element (`tag`) holding an amount for people, its exact figure one tap away. */
export function amountElement(tag: string, amount: AmountLike, unit: string): HTMLElement {
  const el = document.createElement(tag);
  showAmount(el, amount, unit);
  return el;
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

/** A cell linking a transaction to the explorer by its short signature (`what` names it in full). */
export function transactionCell(
  signature: string,
  explorerUrl: string,
  what = "transaction",
): HTMLTableCellElement {
  return cell(link(shortAddress(signature), explorerUrl, `${what} ${signature} on the explorer`));
}

/**
 * A page of a paged table's rows: in place of those shown, or after them (`more`, an older
 * page); the note saying there are none shows when there are none, the button for the next
 * page while there is one.
 */
export function showPage(
  ids: { rows: string; none: string; more: string },
  rows: HTMLTableRowElement[],
  more: boolean,
  nextCursor: string | null,
): void {
  if (more) $(ids.rows).append(...rows);
  else $(ids.rows).replaceChildren(...rows);
  $(ids.none).hidden = $(ids.rows).children.length > 0;
  $(ids.more).hidden = nextCursor === null;
}

export function row(cells: HTMLElement[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

/** Marks each scrolling table that is wider than its box, so its "scroll sideways" hint shows. */
export function watchOverflow(): void {
  // Each box and its table (rows arrive after the box has its size) lead to the box.
  const boxOf = new Map<Element, HTMLElement>();
  for (const box of Array.from(document.querySelectorAll<HTMLElement>(".scroll"))) {
    boxOf.set(box, box);
    const table = box.querySelector("table");
    if (table) boxOf.set(table, box);
  }
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const box = boxOf.get(entry.target);
      if (!box) continue;
      const overflow = String(box.scrollWidth > box.clientWidth + 1);
      if (box.dataset.overflow !== overflow) box.dataset.overflow = overflow;
    }
  });
  for (const target of boxOf.keys()) observer.observe(target);
}
