// Rows as the stores read them: snake_case columns into the camelCase fields of our types.

/** The Slack user a row belongs to (its `team_id` and `user_id` columns). */
export function userOfRow(row: { team_id: string; user_id: string }): { teamId: string; userId: string } {
  return { teamId: row.team_id, userId: row.user_id };
}

/** The Slack thread a row is about (its `channel` and `thread_ts` columns). */
export function threadOfRow(row: { channel: string; thread_ts: string }): { channel: string; threadTs: string } {
  return { channel: row.channel, threadTs: row.thread_ts };
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** A row's type with its snake_case columns as camelCase fields. */
export type CamelCased<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

/** A row with its snake_case columns as camelCase fields, values as they are. */
export function camelCased<T extends object>(row: T): CamelCased<T> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      value,
    ]),
  ) as CamelCased<T>;
}
