-- Which languages referrals asked for or courses ran in.
SELECT language FROM (
    SELECT language FROM referrals UNION SELECT language FROM courses
) ORDER BY language;
