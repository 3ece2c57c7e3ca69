use super::*;

#[test]
fn shards_cover_every_schedule_once() {
    for schedules in [1, 7, 10, 1000, 1001] {
        for count in [1, 2, 3, 8, 13] {
            let mut all = Vec::new();
            for index in 0..count {
                all.extend(Shard { index, count }.range(schedules));
            }
            assert_eq!(
                all,
                (0..schedules).collect::<Vec<_>>(),
                "{schedules} in {count} shards"
            );
        }
    }
    assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
    assert!(Shard::parse("4/4").unwrap_err().contains("numbered 0 to 3"));
    assert!(Shard::parse("x").unwrap_err().contains("I/N"));
}

#[test]
fn counts_read_in_thousands() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1234567), "1,234,567");
}
