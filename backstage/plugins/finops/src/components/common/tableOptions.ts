/** What every table shares: dense rows, and headers that sort but are no drag handles (a keyboard user tabbed through each twice). */
export const TABLE_OPTIONS = { padding: 'dense', draggable: false } as const;

/** A table shown whole: every row on one page, no search box. */
export const WHOLE_TABLE = { ...TABLE_OPTIONS, paging: false, search: false } as const;
