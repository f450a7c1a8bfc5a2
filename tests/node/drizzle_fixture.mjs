// Rows for the Drizzle fixture apps (users <- posts <- comments, ON DELETE CASCADE), shared by
// the 0.45 and 1.0 migration tests.
export function seed(db) {
  db.exec(`INSERT INTO users(id, email) VALUES (1, 'a@x'), (2, 'b@x'), (3, 'c@x');
           INSERT INTO posts(id, user_id, title) VALUES (1,1,'p1'),(2,1,'p2'),(3,2,'p3'),(4,3,'p4');
           INSERT INTO comments(id, post_id, body) VALUES (1,1,'c'),(2,1,'c'),(3,2,'c'),(4,3,'c'),(5,4,'c');`);
}

export const counts = (db) => db.prepare(
  'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM comments) AS comments').get();
