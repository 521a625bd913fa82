// @ts-check
/**
 * Keeps `list`'s children one element per item, in the items' order: an
 * element is created for a new id, filled for every item, moved only when out
 * of place, and removed once its id is gone. Elements are kept in `elements`
 * between calls, so a redraw touches only what changed.
 *
 * @template T
 * @template {HTMLElement} E
 * @param {HTMLElement} list
 * @param {Map<number, E>} elements
 * @param {readonly T[]} items
 * @param {(item: T) => number} idOf
 * @param {(id: number) => E} create
 * @param {(element: E, item: T) => void} fill
 */
export function reconcileList(list, elements, items, idOf, create, fill) {
  const present = new Set(items.map(idOf));
  for (const [id, element] of elements) {
    if (!present.has(id)) {
      element.remove();
      elements.delete(id);
    }
  }
  items.forEach((item, index) => {
    const id = idOf(item);
    let element = elements.get(id);
    if (!element) {
      element = create(id);
      elements.set(id, element);
    }
    fill(element, item);
    if (list.children[index] !== element) list.insertBefore(element, list.children[index] ?? null);
  });
}
