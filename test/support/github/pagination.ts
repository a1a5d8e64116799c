// GitHub's list pagination (per_page, page, Link header), shared by both transports.

import { PER_PAGE_MAX } from "./constants.js";

/** One page of `items` for the request's `per_page`/`page`, and the Link header GitHub sends (absent for one page). */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  pageUrl: (query: URLSearchParams) => string,
): { items: T[]; link: string | undefined } {
  const perPage = Math.min(PER_PAGE_MAX, Math.max(1, Number(query.get("per_page")) || 30));
  const page = Math.max(1, Number(query.get("page")) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  if (last <= 1) return { items: slice, link: undefined };
  const at = (p: number) => {
    const q = new URLSearchParams(query);
    q.set("page", String(p));
    return `<${pageUrl(q)}>`;
  };
  const links: string[] = [];
  if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
  return { items: slice, link: links.join(", ") };
}
