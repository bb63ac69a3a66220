// A small element builder. Text always goes in as text nodes (never innerHTML), so names from the data
// cannot inject markup, and no inline style attribute is ever written (the CSP forbids them).

/**
 * Creates an element: `el("td", { className: "num", "data-testid": "x", onClick }, "text", child)`.
 * Attributes starting with `on` become listeners; `className`, `hidden`, `disabled` and `value` are set
 * as properties; everything else as attributes. Null, undefined and false children are skipped.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "className" || name === "hidden" || name === "disabled" || name === "value") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Shows one element and hides the others. */
export function showOnly(visible, ...hidden) {
  visible.hidden = false;
  for (const element of hidden) element.hidden = true;
}
