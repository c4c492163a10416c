import type { Pool } from 'pg';
import { z } from 'zod';

/** What a client may send to create or replace an item; unknown fields are refused. */
export const itemInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(0).max(1_000_000_000).default(0),
});
export type ItemInput = z.infer<typeof itemInput>;

export interface Item {
  id: string;
  name: string;
  quantity: number;
  createdAt: string;
  updatedAt: string;
}

interface ItemRow {
  id: string;
  name: string;
  quantity: number;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id::text AS id, name, quantity, created_at, updated_at';
const toItem = (row: ItemRow): Item => ({
  id: row.id,
  name: row.name,
  quantity: row.quantity,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Items table access; ids are bigint, carried as decimal strings so no precision is lost. */
export class ItemStore {
  readonly #pool: Pool;
  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async list(limit: number, offset: number): Promise<Item[]> {
    const { rows } = await this.#pool.query<ItemRow>(
      `SELECT ${columns} FROM items ORDER BY id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return rows.map(toItem);
  }

  async get(id: string): Promise<Item | undefined> {
    const { rows } = await this.#pool.query<ItemRow>(`SELECT ${columns} FROM items WHERE id = $1`, [
      id,
    ]);
    return rows[0] && toItem(rows[0]);
  }

  async create(input: ItemInput): Promise<Item> {
    const { rows } = await this.#pool.query<ItemRow>(
      `INSERT INTO items (name, quantity) VALUES ($1, $2) RETURNING ${columns}`,
      [input.name, input.quantity],
    );
    const row = rows[0];
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    return toItem(row);
  }

  async replace(id: string, input: ItemInput): Promise<Item | undefined> {
    const { rows } = await this.#pool.query<ItemRow>(
      `UPDATE items SET name = $2, quantity = $3, updated_at = now() WHERE id = $1 RETURNING ${columns}`,
      [id, input.name, input.quantity],
    );
    return rows[0] && toItem(rows[0]);
  }

  async remove(id: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query('DELETE FROM items WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}
